using System.Text.Json;
using System.Text.Json.Nodes;
using Glassbox.IO;

namespace Glassbox.App;

/// <summary>What <c>glassbox merge</c> should do.</summary>
/// <param name="Shards">The output folders of <c>glassbox explain --shard k/n</c>, one per shard, in any order.</param>
/// <param name="OutputFolder">Where to write the merged explanation.</param>
public sealed record MergeRequest(IReadOnlyList<string> Shards, string OutputFolder);

/// <summary>What <c>glassbox merge</c> wrote.</summary>
/// <param name="Shards">Number of shards merged.</param>
/// <param name="Inputs">Inputs of the merged explanation.</param>
/// <param name="Files">Written files by role, relative to the output folder.</param>
/// <param name="Warnings">What the merged folder leaves out (a plot no shard drew as the single run would).</param>
public sealed record MergeResult(int Shards, int Inputs, IReadOnlyDictionary<string, string> Files, IReadOnlyList<string> Warnings);

/// <summary>
/// <c>glassbox merge</c>: checks that the folders are every shard of one sharded run exactly once (same settings, model,
/// inputs and partition) and assembles them into the folder the single-process run writes: every per-input .npy file in
/// the original input order (equal to the single run's byte for byte), explanation.json with the per-input lists in input
/// order and the method's check recomputed over all inputs, and the plots when a shard drew them as the single run would.
/// </summary>
public static class MergeJob
{
    /// <summary>Per-input arrays (rows follow the inputs), by role.</summary>
    private static readonly (string Role, string File)[] RowFiles =
    [
        ("attributions", "attributions.npy"), ("shapValues", "shap_values.npy"), ("targets", "targets.npy"), ("inputs", "inputs.npy"),
        ("probabilities", "probabilities.npy"), ("outputs", "outputs.npy"), ("baseValues", "base_values.npy"),
    ];

    /// <summary>explanation.json fields every shard must agree on (with the shard's count, rule and partition inputs).</summary>
    private static readonly string[] SameFields =
        ["method", "methodClass", "family", "settings", "noiseTunnel", "options", "modelSha256", "modelKind", "architecture", "output", "backgroundSize", "run"];

    /// <summary>Per-input lists of explanation.json, with the values each input holds (1 or K).</summary>
    private static readonly string[] PerInputLists = ["inputs", "predictions"];
    private static readonly string[] PerTargetLists = ["targets", "outputs", "baseValues"];

    /// <summary>Runs the merge; throws one <see cref="GlassboxException"/> line when the folders are not one whole sharded run.</summary>
    public static MergeResult Run(MergeRequest r)
    {
        OutputLayout.CheckFolderName(r.OutputFolder);
        if (r.Shards.Count == 0) throw new GlassboxException("Pass the shard folders to merge: glassbox merge DIR1 DIR2 … -o DIR.");
        var shards = r.Shards.Select(Read).ToList();
        var first = shards[0];
        foreach (var s in shards.Skip(1)) CheckSame(first, s);
        int n = first.Count;
        var byIndex = new Shard?[n];
        foreach (var s in shards)
        {
            if (byIndex[s.Index] is { } twin)
                throw new GlassboxException($"Shard {s.Index}/{n} is given twice ('{twin.Folder}' and '{s.Folder}'); pass each shard folder once.");
            byIndex[s.Index] = s;
        }
        var missing = Enumerable.Range(0, n).Where(k => byIndex[k] is null).ToList();
        if (missing.Count > 0)
            throw new GlassboxException($"Shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Take(10).Select(k => $"{k}/{n}"))}{(missing.Count > 10 ? ", …" : "")} of this run {(missing.Count > 1 ? "are" : "is")} missing: pass all {n} shard folders (0/{n} … {n - 1}/{n}).");
        var ordered = byIndex.Select(s => s!).ToArray();
        var plan = ShardPlan.Create(first.TotalInputs, first.ChunkSize, n, first.Seed);
        foreach (var s in ordered)
            if (!plan.BlocksOf(s.Index).SequenceEqual(s.Blocks) || s.Rows != plan.InputsOf(s.Index).Length)
                throw new GlassboxException($"Shard {s.Index}/{n} in '{s.Folder}' does not hold the chunks rule {ShardPlan.Rule} gives it; it was made by another version of glassbox. Rerun it.");

        string folder = AtomicFolder.CheckTarget(r.OutputFolder, OutputLayout.IsExplainEntry);
        using var runLock = OutputLock.Acquire(folder);
        MergeResult? result = null;
        AtomicFolder.Write(folder, temp =>
        {
            var layout = new OutputLayout(temp);
            layout.Create();
            var files = new Dictionary<string, string>();
            var owners = plan.Owners();
            var offsets = ordered.Select(s => RowOffsets(s, plan)).ToArray();
            foreach (var (role, file) in RowFiles)
            {
                // Outputs and base values exist only when every value was finite: the single run writes them when every shard did.
                if (!ordered.All(s => File.Exists(Path.Combine(s.Folder, file)))) continue;
                MergeRows(ordered.Select(s => Path.Combine(s.Folder, file)).ToArray(), Path.Combine(temp, file), plan, owners, offsets);
                files[role] = file;
            }
            if (File.Exists(Path.Combine(first.Folder, "expected_value.npy")))
            {
                var bytes = File.ReadAllBytes(Path.Combine(first.Folder, "expected_value.npy"));
                foreach (var s in ordered)
                    if (!File.ReadAllBytes(Path.Combine(s.Folder, "expected_value.npy")).AsSpan().SequenceEqual(bytes))
                        throw new GlassboxException($"Shard {s.Index}/{n} in '{s.Folder}' has another expected value than shard {first.Index}/{n}: its background differs. Rerun it with the same --background and --seed.");
                AtomicFile.WriteAllBytes(layout.ExpectedValue, bytes);
                files["expectedValue"] = "expected_value.npy";
            }
            var warnings = new List<string>();
            var json = MergeSummary(ordered, plan, owners, offsets, files, layout, warnings);
            AtomicFile.Write(layout.Summary, stream => { using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }); json.WriteTo(w); });
            files["summary"] = "explanation.json";
            result = new MergeResult(n, first.TotalInputs, files, warnings);
        }, f => File.Exists(Path.Combine(f, "explanation.json")), OutputLayout.IsExplainEntry);
        return result!;
    }

    /// <summary>A shard folder as its explanation.json describes it.</summary>
    private sealed record Shard(string Folder, JsonObject Summary, int Index, int Count, int TotalInputs, int ChunkSize, int Seed, int[] Blocks, int Rows);

    private static Shard Read(string folder)
    {
        string path = Path.Combine(folder, "explanation.json");
        if (!Directory.Exists(folder)) throw new GlassboxException($"Shard folder '{folder}' does not exist.");
        if (!File.Exists(path)) throw new GlassboxException($"'{folder}' holds no explanation.json: it is not a finished explain folder (did its shard fail?).");
        JsonObject summary;
        try
        {
            summary = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new GlassboxException($"'{path}' is not valid JSON ({e.Message}); rerun that shard.");
        }
        if (summary["shard"] is not JsonObject shard)
            throw new GlassboxException($"'{folder}' was not made with glassbox explain --shard k/n; merge takes the folders of one sharded run.");
        try
        {
            int[] blocks = shard["blocks"]!.AsArray().Select(b => b!.GetValue<int>()).ToArray();
            var s = new Shard(folder, summary, shard["index"]!.GetValue<int>(), shard["count"]!.GetValue<int>(), shard["totalInputs"]!.GetValue<int>(),
                shard["chunkSize"]!.GetValue<int>(), shard["seed"]!.GetValue<int>(), blocks, shard["inputs"]!.GetValue<int>());
            string? rule = shard["rule"]?.GetValue<string>();
            if (rule != ShardPlan.Rule || s.Index < 0 || s.Index >= s.Count || s.ChunkSize < 1)
                throw new GlassboxException($"'{path}' records shard {s.Index}/{s.Count} under rule '{rule}'; merge knows rule {ShardPlan.Rule}. Rerun that shard.");
            return s;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new GlassboxException($"'{path}' has an incomplete \"shard\" record; rerun that shard.");
        }
    }

    /// <summary>Refuses a shard made with other settings, model, inputs or partition than <paramref name="a"/>.</summary>
    private static void CheckSame(Shard a, Shard b)
    {
        string Where(Shard s) => $"shard {s.Index}/{s.Count} ('{s.Folder}')";
        if (a.Count != b.Count)
            throw new GlassboxException($"{Where(b)} belongs to a run of {b.Count} shards, {Where(a)} to one of {a.Count}; merge the shards of one run.");
        foreach (var (field, x, y) in new (string, int, int)[] { ("input count", a.TotalInputs, b.TotalInputs), ("--chunk-size", a.ChunkSize, b.ChunkSize), ("--seed", a.Seed, b.Seed) })
            if (x != y) throw new GlassboxException($"{Where(b)} was made with {field} {y}, {Where(a)} with {x}; rerun it with the same settings.");
        foreach (var field in SameFields)
        {
            string x = a.Summary[field]?.ToJsonString() ?? "null", y = b.Summary[field]?.ToJsonString() ?? "null";
            if (x == y) continue;
            if (field == "modelSha256")
                throw new GlassboxException($"{Where(b)} explained another model (SHA-256 {Short(y)}) than {Where(a)} ({Short(x)}); rerun it with the same model.");
            string detail = a.Summary[field] is JsonObject ox && b.Summary[field] is JsonObject oy
                ? FirstDifference(ox, oy) : $"{Clip(y)} instead of {Clip(x)}";
            throw new GlassboxException($"{Where(b)} was made with other {field} than {Where(a)} ({detail}); rerun it with the same settings.");
        }
    }

    private static string FirstDifference(JsonObject a, JsonObject b)
    {
        foreach (var key in a.Select(p => p.Key).Union(b.Select(p => p.Key)))
        {
            string x = a[key]?.ToJsonString() ?? "null", y = b[key]?.ToJsonString() ?? "null";
            if (x != y) return $"{key}: {Clip(y)} instead of {Clip(x)}";
        }
        return "";
    }

    private static string Short(string json) => json.Trim('"') is { Length: > 12 } h ? h[..12] + "…" : json;

    private static string Clip(string json) => json.Length > 60 ? json[..57] + "…" : json;

    /// <summary>For each block the shard holds, the row where it starts in that shard's files (−1 for other blocks).</summary>
    private static int[] RowOffsets(Shard s, ShardPlan plan)
    {
        var offsets = Enumerable.Repeat(-1, plan.Blocks).ToArray();
        int row = 0;
        foreach (int b in s.Blocks)
        {
            offsets[b] = row;
            row += plan.BlockRows(b);
        }
        return offsets;
    }

    /// <summary>Writes the rows of every shard's <paramref name="sources"/> in input order to <paramref name="target"/>.</summary>
    private static void MergeRows(string[] sources, string target, ShardPlan plan, int[] owners, int[][] offsets)
    {
        var readers = sources.Select(NpyReader.Open).ToArray();
        try
        {
            var shape = readers[0].Shape;
            for (int k = 0; k < readers.Length; k++)
            {
                var rd = readers[k];
                if (rd.DType != readers[0].DType || !rd.Shape.Skip(1).SequenceEqual(shape.Skip(1)) || rd.Rows != Rows(plan, offsets[k]))
                    throw new GlassboxException($"'{rd.Path}' holds {rd.DType} ({string.Join(", ", rd.Shape)}); shard {k} should hold {Rows(plan, offsets[k])} rows like ({string.Join(", ", shape.Skip(1))}) of {readers[0].DType}. Rerun that shard.");
            }
            int[] merged = [plan.TotalInputs, .. shape.Skip(1)];
            using var writer = new NpyStreamWriter(target, merged, readers[0].DType);
            for (int b = 0; b < plan.Blocks; b++)
            {
                var part = readers[owners[b]].ReadRows(offsets[owners[b]][b], plan.BlockRows(b));
                switch (part.Data)
                {
                    case float[] f: writer.Append(f); break;
                    case double[] d: writer.Append(d); break;
                    case long[] l: writer.Append(l); break;
                    default: throw new GlassboxException($"'{sources[owners[b]]}' holds {readers[owners[b]].DType}; explain writes float32, float64 or int64. Rerun that shard.");
                }
            }
            writer.Complete();
        }
        finally
        {
            foreach (var rd in readers) rd.Dispose();
        }
    }

    private static int Rows(ShardPlan plan, int[] offsets) => Enumerable.Range(0, plan.Blocks).Where(b => offsets[b] >= 0).Sum(plan.BlockRows);

    /// <summary>explanation.json of the merged run: shard 0's fields, the per-input lists in input order, the check over all inputs.</summary>
    private static JsonObject MergeSummary(Shard[] shards, ShardPlan plan, int[] owners, int[][] offsets, Dictionary<string, string> files,
        OutputLayout layout, List<string> warnings)
    {
        var json = (JsonObject)shards[0].Summary.DeepClone();
        int k = TargetsPerInput(shards[0]);
        JsonArray Concat(string field, int per, Func<JsonObject, JsonNode?> get)
        {
            var all = new JsonArray();
            for (int b = 0; b < plan.Blocks; b++)
            {
                var list = get(shards[owners[b]].Summary)?.AsArray()
                    ?? throw new GlassboxException($"Shard {owners[b]} has no \"{field}\" list in explanation.json; rerun it.");
                int start = offsets[owners[b]][b] * per, len = plan.BlockRows(b) * per;
                for (int i = start; i < start + len; i++) all.Add(list[i]?.DeepClone());
            }
            return all;
        }
        foreach (var f in PerInputLists) json[f] = Concat(f, 1, s => s[f]);
        foreach (var f in PerTargetLists)
            json[f] = shards.All(s => s.Summary[f] is JsonArray) ? Concat(f, k, s => s[f]) : null;
        json["seconds"] = shards.Sum(s => s.Summary["seconds"]?.GetValue<double>() ?? 0);
        if (json["check"] is JsonObject check)
        {
            var checks = shards.Select(s => (JsonObject)s.Summary["check"]!).ToArray();
            double count(Shard s) => (double)s.Rows * k;
            check["maxAbs"] = checks.Max(c => Number(c["maxAbs"]));
            check["maxRelative"] = checks.Max(c => Number(c["maxRelative"]));
            check["meanAbs"] = shards.Select((s, i) => Number(checks[i]["meanAbs"]) * count(s)).Sum() / Math.Max(1, plan.TotalInputs * (double)k);
            check["failures"] = checks.Sum(c => c["failures"]?.GetValue<int>() ?? 0);
            check["holds"] = checks.All(c => c["holds"]?.GetValue<bool>() ?? false);
            check["signedDeltas"] = checks.All(c => c["signedDeltas"] is JsonArray) ? Concat("check.signedDeltas", k, s => s["check"]?["signedDeltas"]) : null;
        }
        // Plots: a shard's plot shows its first rows; it is the single run's plot when those are the whole run's first rows.
        var holder = shards[owners[0]];
        int plotRows = holder.Summary["plotRows"]?.GetValue<int>() ?? 0, firstBlocks = (plotRows + plan.ChunkSize - 1) / plan.ChunkSize;
        bool samePlot = plotRows > 0 && holder.Blocks.Take(firstBlocks).SequenceEqual(Enumerable.Range(0, firstBlocks))
            && (plotRows < holder.Rows || plotRows == plan.TotalInputs);
        if (samePlot && File.Exists(Path.Combine(holder.Folder, "image_plot.png")))
        {
            File.Copy(Path.Combine(holder.Folder, "image_plot.png"), layout.ImagePlot);
            files["imagePlot"] = "image_plot.png";
        }
        else
        {
            string why = $"No image plot: shard {holder.Index}/{plan.Count}, which holds the first inputs, did not plot the run's first rows as one process would; shard with --chunk-size at least --plot-rows to get it (the arrays are complete).";
            warnings.Add(why);
            json["plotRows"] = 0;
            json["plotError"] = why;
        }
        if (files.ContainsKey("outputs") && files.ContainsKey("baseValues") && File.Exists(Path.Combine(holder.Folder, "force_plot.html")))
            foreach (var (role, name) in new[] { ("forcePlot", "force_plot.html"), ("forcePlotSvg", "force_plot.svg") })
            {
                File.Copy(Path.Combine(holder.Folder, name), Path.Combine(layout.Root, name));
                files[role] = name;
            }
        json.Remove("shard");
        json["merged"] = new JsonObject
        {
            ["shards"] = plan.Count, ["rule"] = ShardPlan.Rule,
            ["folders"] = new JsonArray(shards.Select(s => (JsonNode?)JsonValue.Create(Path.GetFullPath(s.Folder))).ToArray()),
            ["secondsPerShard"] = new JsonArray(shards.Select(s => (JsonNode?)JsonValue.Create(s.Summary["seconds"]?.GetValue<double>() ?? 0)).ToArray()),
        };
        var fileMap = new JsonObject();
        foreach (var (role, name) in files.OrderBy(p => p.Key, StringComparer.Ordinal)) fileMap[role] = name;
        json["files"] = fileMap;
        return json;
    }

    private static int TargetsPerInput(Shard s)
    {
        using var reader = NpyReader.Open(Path.Combine(s.Folder, "targets.npy"));
        return reader.Shape.Length == 2 ? reader.Shape[1] : throw new GlassboxException($"'{reader.Path}' is not N×K; rerun that shard.");
    }

    private static double Number(JsonNode? node) => node is JsonValue v && v.TryGetValue(out double d) ? d
        : node is JsonValue s && s.TryGetValue(out string? text) && double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out double parsed) ? parsed : double.NaN;
}
