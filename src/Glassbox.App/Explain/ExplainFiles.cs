using Glassbox.Attribution;
using Glassbox.IO;
using Glassbox.Models;

namespace Glassbox.App;

/// <summary>
/// The explain stage's <see cref="IExplainSink"/> for <c>glassbox explain</c>: every per-input array (attributions, inputs,
/// probabilities, targets, outputs, base values) goes to its .npy file in the <see cref="OutputLayout"/> as each chunk is
/// made, so nothing of size N×image or N×classes is held. Outputs and base values are kept only when every one is finite.
/// </summary>
public sealed class ExplainFiles : IExplainSink, IDisposable
{
    private readonly OutputLayout _layout;
    private readonly ModelInfo _info;
    private readonly int _count;
    private readonly NpyStreamWriter _probabilities, _inputs;
    private NpyStreamWriter? _attributions, _targets, _outputs, _baseValues;
    private bool _outputsFinite = true, _baseFinite = true;

    /// <summary>Starts the files for <paramref name="count"/> inputs of a model with <paramref name="info"/>.</summary>
    public ExplainFiles(OutputLayout layout, ModelInfo info, int count)
    {
        _layout = layout;
        _info = info;
        _count = count;
        layout.Create();
        _probabilities = new NpyStreamWriter(layout.Probabilities, [count, info.Classes]);
        _inputs = new NpyStreamWriter(layout.Inputs, [count, info.Channels, info.Height, info.Width]);
    }

    /// <inheritdoc />
    public void Probabilities(int start, ReadOnlySpan<float> probabilities) => _probabilities.Append(probabilities);

    /// <inheritdoc />
    public void Chunk(int start, ReadOnlySpan<float> inputs, Explanation e)
    {
        int k = e.TargetsPerInput;
        _attributions ??= new NpyStreamWriter(_layout.Attributions, [_count, k, _info.Channels, _info.Height, _info.Width]);
        _targets ??= new NpyStreamWriter(_layout.Targets, [_count, k], "<i8");
        _outputs ??= new NpyStreamWriter(_layout.Outputs, [_count, k], "<f8");
        _baseValues ??= new NpyStreamWriter(_layout.BaseValues, [_count, k], "<f8");
        _attributions.Append(e.Values);
        _inputs.Append(inputs);
        _targets.Append(Array.ConvertAll(e.Targets, t => (long)t));
        _outputsFinite &= e.Outputs.All(double.IsFinite);
        _baseFinite &= e.BaseValues.All(double.IsFinite);
        if (_outputsFinite) _outputs.Append(e.Outputs);
        if (_baseFinite) _baseValues.Append(e.BaseValues);
    }

    /// <summary>Checks every value was written and puts the files in place; returns them by role, relative to the output folder.</summary>
    public Dictionary<string, string> Complete()
    {
        if (_attributions is null) throw new InvalidOperationException("No chunk was written.");
        var files = new Dictionary<string, string>();
        void Done(string key, NpyStreamWriter w)
        {
            w.Complete();
            files[key] = _layout.Relative(key switch
            {
                "attributions" => _layout.Attributions, "targets" => _layout.Targets, "inputs" => _layout.Inputs,
                "probabilities" => _layout.Probabilities, "outputs" => _layout.Outputs, _ => _layout.BaseValues,
            });
        }
        Done("attributions", _attributions);
        Done("targets", _targets!);
        Done("inputs", _inputs);
        Done("probabilities", _probabilities);
        if (_outputsFinite) Done("outputs", _outputs!);
        if (_baseFinite) Done("baseValues", _baseValues!);
        return files;
    }

    /// <summary>The values of a one-dimensional or N×K .npy file written here, read back a block at a time (for explanation.json).</summary>
    public static IEnumerable<T> Column<T>(string path)
    {
        using var reader = NpyReader.Open(path);
        int block = (int)Math.Max(1, (1 << 16) / Math.Max(1, reader.RowLength));
        for (int start = 0; start < reader.Rows; start += block)
        {
            var part = reader.ReadRows(start, Math.Min(block, reader.Rows - start));
            foreach (T v in (T[])part.Data) yield return v;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _probabilities.Dispose();
        _inputs.Dispose();
        _attributions?.Dispose();
        _targets?.Dispose();
        _outputs?.Dispose();
        _baseValues?.Dispose();
    }
}
