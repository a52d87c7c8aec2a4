namespace Glassbox.Metrics;

/// <summary>What a metric needs from the model.</summary>
public enum MetricRequirement
{
    /// <summary>Nothing: the metric reads the explanations only.</summary>
    None,
    /// <summary>Forward passes only (works on ONNX models).</summary>
    Forward,
    /// <summary>Input gradients (built-in, Sequential-spec and TorchScript models).</summary>
    Gradients,
}
