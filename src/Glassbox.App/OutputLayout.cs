namespace Glassbox.App;

/// <summary>
/// The files of an output folder. <c>explain</c> and <c>demo</c> share this one flat layout: the same thing has the
/// same name in both (an explanation, its checks), and the demo adds its models, validation explanations and report.
/// </summary>
public sealed record OutputLayout(string Root)
{
    /// <summary>Attributions N×K×C×H×W of any method.</summary>
    public string Attributions => File("attributions.npy");
    /// <summary>The same values under SHAP's name, written for DeepSHAP.</summary>
    public string ShapValues => File("shap_values.npy");
    /// <summary>DeepSHAP's E[f(background)] per class.</summary>
    public string ExpectedValue => File("expected_value.npy");
    /// <summary>Class explained at [n, k].</summary>
    public string Targets => File("targets.npy");
    /// <summary>The explained inputs N×C×H×W in [0,1].</summary>
    public string Inputs => File("inputs.npy");
    /// <summary>True labels of the inputs, when known (demo).</summary>
    public string Labels => File("labels.npy");
    /// <summary>Softmax probabilities N×classes.</summary>
    public string Probabilities => File("probabilities.npy");
    /// <summary>f(x) at [n, k], when the method reports it.</summary>
    public string Outputs => File("outputs.npy");
    /// <summary>Base value (expected or baseline output) at [n, k], when the method reports it.</summary>
    public string BaseValues => File("base_values.npy");
    /// <summary>The SHAP-style image plot.</summary>
    public string ImagePlot => File("image_plot.png");
    /// <summary>Interactive force plot of the first input (additive explanations).</summary>
    public string ForcePlotHtml => File("force_plot.html");
    /// <summary>Static force plot of the first input (additive explanations).</summary>
    public string ForcePlotSvg => File("force_plot.svg");
    /// <summary>Method, settings, targets, the method's own check and the files written.</summary>
    public string Summary => File("explanation.json");
    /// <summary>Reliability checks (additivity, deletion against random order).</summary>
    public string Checks => File("checks.json");
    /// <summary>Deletion curves: attribution order against random order.</summary>
    public string DeletionCurves => File("deletion_curves.png");
    /// <summary>Histogram of the additivity errors.</summary>
    public string AdditivityErrors => File("additivity_errors.png");

    /// <summary>Checkpoint of the demo's model trained on all training images.</summary>
    public string ModelA => File("model-a");
    /// <summary>Checkpoint of the demo's model trained on the 80 % split.</summary>
    public string ModelB => File("model-b");
    /// <summary>Training curves of the demo's models.</summary>
    public string TrainingHistory => File("training_history.png");
    /// <summary>Folder of the demo's validation explanations (both models).</summary>
    public string Validation => File("validation");
    /// <summary>A file of the validation folder.</summary>
    public string ValidationFile(string name) => Path.Combine(Validation, name);
    /// <summary>All measured numbers of a demo run.</summary>
    public string Metrics => File("metrics.json");
    /// <summary>The self-contained HTML report of a demo run.</summary>
    public string Report => File("report.html");

    /// <summary><paramref name="path"/> relative to <see cref="Root"/>, with forward slashes (the keys' values in the files maps).</summary>
    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Names <c>glassbox explain</c> writes into its folder; any other entry makes it refuse to replace the folder.</summary>
    public static IReadOnlySet<string> ExplainFileNames { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "attributions.npy", "shap_values.npy", "expected_value.npy", "targets.npy", "inputs.npy", "labels.npy", "probabilities.npy",
        "outputs.npy", "base_values.npy", "image_plot.png", "force_plot.html", "force_plot.svg", "explanation.json", "checks.json",
        "deletion_curves.png", "additivity_errors.png",
    };

    /// <summary>True for a name an explain folder may hold: its files and the temporary files of their atomic writes.</summary>
    public static bool IsExplainEntry(string name)
        => ExplainFileNames.Contains(name) || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));

    /// <summary>Throws a <see cref="GlassboxException"/> when <paramref name="folder"/> (the value of <paramref name="flag"/>) is empty.</summary>
    public static void CheckFolderName(string? folder, string flag = "-o/--out")
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new GlassboxException($"{flag} is empty; name the output folder (e.g. {flag.Split('/')[^1]} results).");
    }

    /// <summary>Creates the root folder.</summary>
    public void Create() => Directory.CreateDirectory(Root);

    private string File(string name) => Path.Combine(Root, name);
}
