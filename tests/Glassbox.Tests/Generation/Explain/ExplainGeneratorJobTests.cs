using Glassbox.App.Generation.Explain;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Models;
using Glassbox.Tests.Training;
using TorchSharp;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>The explain-generator job's own refusals: one clear line each, before any kind runs and without touching the output.</summary>
public class ExplainGeneratorJobTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "gb-egjob-" + Guid.NewGuid().ToString("N"));

    public ExplainGeneratorJobTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
        GC.SuppressFinalize(this);
    }

    private string Path_(string name) => Path.Combine(_root, name);

    private string TrainedVae(string name, bool nan = false)
    {
        using var vae = new Vae(new VaeOptions(LatentSize: 4), seed: 1);
        var data = SampleData.Train.Take(64);
        var history = new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 32)).Train(vae, data);
        if (nan)
            using (torch.no_grad())
                vae.Module.parameters().First().fill_(float.NaN);
        GeneratorCheckpoint.Save(Path_(name), vae, history);
        return Path_(name);
    }

    private string Classifier(string name, int side)
    {
        var info = new ModelInfo(Architecture.ReferenceCnn, 1, side, side, MnistFormat.DigitClassNames);
        using var model = new ImageClassifier(info);
        Checkpoint.Save(Path_(name), model);
        return Path_(name);
    }

    private static GlassboxException Refused(ExplainGeneratorRequest r) => Assert.Throws<GlassboxException>(() => ExplainGeneratorJob.Run(r));

    [Fact]
    public void UntrainedCheckpoint_IsRefused()
    {
        using (var vae = new Vae(new VaeOptions(LatentSize: 4), seed: 1)) GeneratorCheckpoint.Save(Path_("untrained"), vae);
        var e = Refused(new ExplainGeneratorRequest(Path_("untrained"), "traversals", Path_("out")));
        Assert.Contains("never trained", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Fact]
    public void NaNCheckpoint_IsRefusedNamingTheTensor()
    {
        string gen = TrainedVae("nan", nan: true);
        var e = Refused(new ExplainGeneratorRequest(gen, "traversals", Path_("out")));
        Assert.Contains("NaN", e.Message);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Fact]
    public void ClassifierOfAnotherImageSize_AndAMissingTargetClass_AreRefused()
    {
        string gen = TrainedVae("vae");
        var size = Refused(new ExplainGeneratorRequest(gen, "latent-attribution", Path_("out"), Classifier: Classifier("cnn16", 16)));
        Assert.Contains("1×28×28", size.Message);
        Assert.Contains("1×16×16", size.Message);

        var target = Refused(new ExplainGeneratorRequest(gen, "latent-attribution", Path_("out"), Classifier: Classifier("cnn28", 28), Target: 12));
        Assert.Contains("--target 12", target.Message);
        Assert.Contains("0–9", target.Message);

        var none = Refused(new ExplainGeneratorRequest(gen, "latent-attribution", Path_("out")));
        Assert.Contains("--classifier", none.Message);
        Assert.False(Directory.Exists(Path_("out")));
    }

    [Fact]
    public void UnknownKindAndUnknownOption_AreRefusedBeforeLoading()
    {
        // The generator folder does not exist: these are refused before anything is read.
        var kind = Refused(new ExplainGeneratorRequest(Path_("missing"), "saliency", Path_("out")));
        Assert.Contains("traversals", kind.Message);
        Assert.Contains("disentanglement", kind.Message);
        var option = Refused(new ExplainGeneratorRequest(Path_("missing"), "traversals", Path_("out"), Options: new Dictionary<string, string> { ["stpes"] = "9" }));
        Assert.Contains("'stpes'", option.Message);
        Assert.Contains("steps", option.Message);
        Assert.Contains("-n must be", Refused(new ExplainGeneratorRequest(Path_("missing"), "traversals", Path_("out"), Count: 0)).Message);
    }

    [Fact]
    public void AFailedRun_LeavesThePreviousOutputUntouched()
    {
        string gen = TrainedVae("vae");
        var first = ExplainGeneratorJob.Run(new ExplainGeneratorRequest(gen, "traversals", Path_("out"), Count: 1));
        string json = File.ReadAllText(Path.Combine(first.Folder, ExplainGeneratorJob.JsonFile));
        var bad = Refused(new ExplainGeneratorRequest(gen, "traversals", Path_("out"), Count: 1, Options: new Dictionary<string, string> { ["steps"] = "1" }));
        Assert.Contains("steps", bad.Message);
        Assert.Equal(json, File.ReadAllText(Path.Combine(first.Folder, ExplainGeneratorJob.JsonFile)));
        Assert.All(first.Files, f => Assert.True(File.Exists(Path.Combine(first.Folder, f)), f));
    }
}
