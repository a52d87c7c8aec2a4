using Glassbox.Attribution;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Glassbox.Tests.Reference;

/// <summary>
/// Outputs of the real Captum 0.7.0 and SHAP 0.49.1 on the fixture models (tests/fixtures/reference, see its README),
/// and the comparison every parity test uses: relative L2 error ‖a − b‖ / ‖b‖ in double precision.
/// </summary>
internal static class ReferenceData
{
    /// <summary>The bound for deterministic methods.</summary>
    public const double Tolerance = 1e-5;

    public static string Folder => Path.Combine(RepoPaths.Root, "tests", "fixtures", "reference");

    private static string ModelFile(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    /// <summary>A reference array: from the model folder, or from the shared top folder when <paramref name="model"/> is null.</summary>
    public static NpyArray Read(string? model, string name)
        => NpyFile.Read(model is null ? Path.Combine(Folder, name + ".npy") : Path.Combine(Folder, model, name + ".npy"));

    public static float[] Floats(string? model, string name) => Read(model, name).ToFloat32();

    public static double[] Doubles(string? model, string name) => Read(model, name).Data switch
    {
        double[] d => d,
        float[] f => Array.ConvertAll(f, v => (double)v),
        var other => throw new InvalidOperationException($"{name} holds {other.GetType()}"),
    };

    public static long[] Longs(string? model, string name) => (long[])Read(model, name).Data;

    public static Tensor Tensor(string? model, string name)
    {
        var a = Read(model, name);
        return torch.tensor(a.ToFloat32(), a.Shape.Select(d => (long)d).ToArray());
    }

    /// <summary>The 5×1×8×8 inputs.</summary>
    public static Tensor Inputs() => Tensor(null, "inputs");

    /// <summary>The 20×1×8×8 background images.</summary>
    public static Tensor Background() => Tensor(null, "background");

    /// <summary>targets.npy: [0, 1, 2, 0, 1].</summary>
    public static int[] Targets() => Longs(null, "targets").Select(v => (int)v).ToArray();

    public static TargetSelection TargetSelectionFromFile() => TargetSelection.PerInput(Targets());

    /// <summary>The model as a Sequential spec (JSON + safetensors): what Captum's nn.Sequential runs saw.</summary>
    public static IImageModel Spec(string model) => ModelLoader.Load(ModelFile(model + ".json"));

    /// <summary>The TorchScript model: what Captum's forward/gradient-only runs saw.</summary>
    public static IImageModel Script(string model) => ModelLoader.Load(ModelFile(model + ".pt"));

    public static double RelativeL2(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = (double)actual[i] - expected[i];
            num += d * d;
            den += (double)expected[i] * expected[i];
        }
        Assert.True(den > 0, "The reference is all zeros; a relative error is meaningless.");
        return Math.Sqrt(num / den);
    }

    public static double RelativeL2(double[] actual, double[] expected)
        => RelativeL2(Array.ConvertAll(actual, v => (float)v), Array.ConvertAll(expected, v => (float)v));

    public static double MaxAbs(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
    {
        Assert.Equal(expected.Length, actual.Length);
        double m = 0;
        for (int i = 0; i < expected.Length; i++) m = Math.Max(m, Math.Abs(actual[i] - expected[i]));
        return m;
    }

    /// <summary>Asserts ‖actual − expected‖/‖expected‖ ≤ <paramref name="tolerance"/> and logs the measured value.</summary>
    public static double AssertRelativeL2(ITestOutputHelper log, string label, float[] actual, float[] expected, double tolerance = Tolerance)
    {
        double err = RelativeL2(actual, expected);
        log.WriteLine($"PARITY {label}: relative L2 {err:E2}");
        Assert.True(err <= tolerance, $"{label}: relative L2 {err:E2} > {tolerance:E0}");
        return err;
    }

    /// <summary>Mean over consecutive groups of <paramref name="group"/> maps of size <paramref name="size"/> (double accumulation).</summary>
    public static float[] GroupMean(float[] values, int group, int size)
    {
        int n = values.Length / (group * size);
        var result = new float[n * size];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < size; j++)
            {
                double sum = 0;
                for (int s = 0; s < group; s++) sum += values[(i * group + s) * size + j];
                result[i * size + j] = (float)(sum / group);
            }
        return result;
    }
}
