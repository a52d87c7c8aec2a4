using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Common;

/// <summary>
/// Collects a method's attributions slot by slot (slot k = the k-th target of every input) and builds the
/// <see cref="Explanation"/>, computing outputs, base values and completeness errors where the method promises them.
/// </summary>
internal sealed class ExplanationBuilder
{
    private readonly float[] _values;
    private readonly int _mapSize;

    /// <summary>Resolves <paramref name="targets"/> for N inputs of shape C×H×W and a model with <paramref name="classes"/> classes.</summary>
    public ExplanationBuilder(string method, object settings, long[] inputShape, TargetSelection targets, int classes)
    {
        Method = method;
        Settings = settings;
        N = (int)inputShape[0];
        C = (int)inputShape[1]; H = (int)inputShape[2]; W = (int)inputShape[3];
        Targets = targets.Resolve(N, classes, out int k);
        K = k;
        _mapSize = C * H * W;
        _values = new float[(long)N * K * _mapSize];
    }

    /// <summary>Method name.</summary>
    public string Method { get; }
    /// <summary>Options record the method ran with.</summary>
    public object Settings { get; }
    /// <summary>Inputs.</summary>
    public int N { get; }
    /// <summary>Targets per input.</summary>
    public int K { get; }
    /// <summary>Channels.</summary>
    public int C { get; }
    /// <summary>Height.</summary>
    public int H { get; }
    /// <summary>Width.</summary>
    public int W { get; }
    /// <summary>Class at [n·K + k].</summary>
    public int[] Targets { get; }

    /// <summary>The class of every input in slot <paramref name="k"/>.</summary>
    public long[] ClassesOfSlot(int k) => Enumerable.Range(0, N).Select(i => (long)Targets[i * K + k]).ToArray();

    /// <summary>Stores N×C×H×W attributions for slot <paramref name="k"/> (inputs <paramref name="start"/>.. of a chunk).</summary>
    public void SetSlot(int k, Tensor attributions, int start = 0)
    {
        using var cpu = attributions.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var data = cpu.data<float>().ToArray();
        int count = data.Length / _mapSize;
        for (int i = 0; i < count; i++)
            Array.Copy(data, (long)i * _mapSize, _values, ((long)(start + i) * K + k) * _mapSize, _mapSize);
    }

    /// <summary>Stores all N×K×C×H×W attributions at once (row-major [n, k, element]).</summary>
    public void SetAll(float[] values)
    {
        if (values.Length != _values.Length) throw new ArgumentException($"{values.Length} values for {N}×{K}×{_mapSize} attributions.");
        Array.Copy(values, _values, values.Length);
    }

    /// <summary>
    /// Builds the explanation. <paramref name="outputs"/> and <paramref name="baseValues"/> are [n·K + k] values of
    /// f(x) and f(baseline); with <paramref name="completeness"/> the errors |f(x) − base − Σφ| are computed.
    /// </summary>
    public Explanation Build(OutputSpace output, double[]? outputs, double[]? baseValues, bool completeness, double tolerance = 1e-4, bool guaranteed = true)
    {
        outputs ??= Enumerable.Repeat(double.NaN, N * K).ToArray();
        baseValues ??= Enumerable.Repeat(double.NaN, N * K).ToArray();
        double[]? errors = null;
        if (completeness)
        {
            errors = new double[N * K];
            for (int i = 0; i < N * K; i++)
            {
                double sum = 0;
                foreach (float v in _values.AsSpan(i * _mapSize, _mapSize)) sum += v;
                errors[i] = Math.Abs(outputs[i] - baseValues[i] - sum);
            }
        }
        return new Explanation(Method, Settings, _values, [N, K, C, H, W], Targets, output, outputs, baseValues, errors, tolerance, guaranteed);
    }

    /// <summary>Per-[n·K+k] values of the selected class from N×classes model outputs.</summary>
    public double[] SelectOutputs(Tensor outputsPerInput)
    {
        using var cpu = outputsPerInput.detach().to_type(ScalarType.Float64).cpu().contiguous();
        var o = cpu.data<double>().ToArray();
        int classes = (int)outputsPerInput.shape[1];
        return Enumerable.Range(0, N * K).Select(i => o[(i / K) * classes + Targets[i]]).ToArray();
    }
}
