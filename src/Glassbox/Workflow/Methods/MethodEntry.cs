using Glassbox.Attribution;
using Glassbox.Models;

namespace Glassbox.Workflow.Methods;

/// <summary>What a method needs from the model.</summary>
public enum MethodRequirement
{
    /// <summary>Only forward passes (works on ONNX models).</summary>
    Forward,
    /// <summary>Input gradients (built-in, Sequential-spec and TorchScript models).</summary>
    Gradients,
    /// <summary>Visible layers for propagation rules (built-in and Sequential-spec models).</summary>
    Layers,
}

/// <summary>One attribution method as the command line and the web app offer it.</summary>
/// <param name="Name">Command-line name (kebab-case), e.g. "integrated-gradients".</param>
/// <param name="Family">gradient, propagation, perturbation, cam or shapley.</param>
/// <param name="Summary">One line: what it computes and the paper.</param>
/// <param name="Requirement">What the model must support.</param>
/// <param name="UsesBaselineDistribution">True when the method averages or samples over B baseline images (the CLI then defaults to 100 training images).</param>
/// <param name="Options">The <see cref="MethodArguments"/> fields it reads, as CLI option names (e.g. "--n-steps").</param>
/// <param name="Create">Builds the method for a model from the arguments.</param>
public sealed record MethodEntry(
    string Name, string Family, string Summary, MethodRequirement Requirement, bool UsesBaselineDistribution,
    IReadOnlyList<string> Options, Func<IImageModel, MethodArguments, IAttributionMethod> Create);
