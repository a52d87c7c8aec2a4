using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Tests.IO;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Checkpoints;

public class CheckpointTests
{
    private static readonly string[] Digits = MnistFormat.DigitClassNames.ToArray();

    private static ImageClassifier NewModel(string arch = Architecture.PooledCnn, float[]? mean = null, float[]? std = null)
        => new(new ModelInfo(arch, 1, 28, 28, Digits, mean, std));

    private static Dictionary<string, SafeTensor> Weights(ImageClassifier model)
        => model.Network.state_dict().ToDictionary(
            kv => kv.Key,
            kv => { using var t = kv.Value.detach().cpu().contiguous(); return new SafeTensor(t.shape, t.data<float>().ToArray()); });

    private static float[] Logits(ImageClassifier model, Tensor x)
    {
        using var _ = torch.no_grad();
        using var logits = model.Forward(x);
        return logits.data<float>().ToArray();
    }

    private static TrainingHistory History() => new(
        [new EpochMetrics(1, 0.9, 0.7, 0.5, 0.85, 1.25, 1600), new EpochMetrics(2, 0.4, 0.88, 0.35, 0.9, 1.5, 1500)],
        StoppedEarly: false, new TrainingOptions(Epochs: 2, BatchSize: 32, LearningRate: 5e-4, Seed: 11));

    [Theory]
    [InlineData(Architecture.ReferenceCnn)]
    [InlineData(Architecture.PooledCnn)]
    public void Checkpoint_RoundTrip_GivesIdenticalLogits(string arch)
    {
        using var dir = new TempDirectory();
        using var model = NewModel(arch, [0.13f], [0.31f]);
        using var x = torch.rand(4, 1, 28, 28);
        var before = Logits(model, x);
        Checkpoint.Save(dir.Path, model, History());

        var (loaded, meta) = Checkpoint.Load(dir.Path);
        using var _ = loaded;
        var after = Logits(loaded, x);
        Assert.Equal(before, after); // bit-identical
        Assert.Equal(arch, loaded.Info.Architecture);
        Assert.Equal(Digits, loaded.Info.ClassNames);
        Assert.Equal(new[] { 0.13f }, loaded.Info.Mean);
        Assert.Equal(new[] { 0.31f }, loaded.Info.Std);
        Assert.Equal(2, meta.Training!.Epochs.Count);
        Assert.Equal(0.85, meta.Training.Epochs[0].HeldOutAccuracy);
        Assert.Equal(5e-4, meta.Training.Options.LearningRate);
        Assert.False(loaded.Network.training);

        // Every parameter survived exactly, and loading via the model.json path works too.
        var (again, _) = Checkpoint.Load(Path.Combine(dir.Path, Checkpoint.MetadataFile));
        using var __ = again;
        var w0 = Weights(model);
        var w1 = Weights(again);
        Assert.All(w0.Keys, k => Assert.True(w0[k].Data.SequenceEqual(w1[k].Data), k));
    }

    [Fact]
    public void ModelJson_HoldsArchitectureClassesHistoryAndTheWeightsHash()
    {
        using var dir = new TempDirectory();
        using var model = NewModel();
        Checkpoint.Save(dir.Path, model, History());

        using var doc = JsonDocument.Parse(File.ReadAllText(dir.File("model.json")));
        var root = doc.RootElement;
        Assert.Equal("glassbox-checkpoint", root.GetProperty("format").GetString());
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var m = root.GetProperty("model");
        Assert.Equal("pooled-cnn", m.GetProperty("architecture").GetString());
        Assert.Equal(1, m.GetProperty("channels").GetInt32());
        Assert.Equal(28, m.GetProperty("height").GetInt32());
        Assert.Equal(28, m.GetProperty("width").GetInt32());
        Assert.Equal(Digits, m.GetProperty("classNames").EnumerateArray().Select(e => e.GetString()));
        var epochs = root.GetProperty("training").GetProperty("epochs").EnumerateArray().ToArray();
        Assert.Equal(2, epochs.Length);
        Assert.Equal(2, epochs[1].GetProperty("epoch").GetInt32());
        Assert.Equal(0.35, epochs[1].GetProperty("heldOutLoss").GetDouble());
        Assert.Equal(32, root.GetProperty("training").GetProperty("options").GetProperty("batchSize").GetInt32());

        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dir.File("model.safetensors"))));
        Assert.Equal(sha, root.GetProperty("weightsSha256").GetString());
    }

    [Fact]
    public void ModelJson_WithoutHistory_AndWithNaNMetrics_StillRoundTrips()
    {
        // Held-out metrics are NaN when training had no held-out set; JSON has no NaN literal.
        using var dir = new TempDirectory();
        using var model = NewModel();
        var history = new TrainingHistory([new EpochMetrics(1, 0.5, 0.8, double.NaN, double.NaN, 1, 100)], false, new TrainingOptions());
        Checkpoint.Save(dir.Path, model, history);
        var meta = Checkpoint.ReadMetadata(dir.Path);
        Assert.True(double.IsNaN(meta.Training!.Epochs[0].HeldOutLoss));

        Checkpoint.Save(dir.Path, model);
        Assert.Null(Checkpoint.ReadMetadata(dir.Path).Training);
    }

    [Fact]
    public void SafeTensorsFile_HasAValidHeader_ParsedByHand()
    {
        using var dir = new TempDirectory();
        using var model = NewModel(Architecture.ReferenceCnn);
        Checkpoint.Save(dir.Path, model);
        byte[] file = File.ReadAllBytes(dir.File("model.safetensors"));

        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(0, 8));
        Assert.True(n > 2 && n < (ulong)file.Length - 8, $"header length {n}");
        Assert.Equal(0UL, n % 8); // padded to 8 bytes, as the reference implementation does
        string json = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{", json);
        Assert.Equal(json.TrimEnd(), json.TrimEnd(' ')); // only spaces as padding
        using var doc = JsonDocument.Parse(json);

        var meta = doc.RootElement.GetProperty("__metadata__");
        Assert.Equal("pt", meta.GetProperty("format").GetString());
        Assert.Equal("reference-cnn", meta.GetProperty("glassbox.architecture").GetString());

        var entries = doc.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToArray();
        string[] names = entries.Select(e => e.Name).ToArray();
        Assert.Equal(new[] { "0.bias", "0.weight", "2.bias", "2.weight", "5.bias", "5.weight" }, names);
        Assert.Equal(names.Order(StringComparer.Ordinal), names);

        var expectedShapes = new Dictionary<string, long[]>
        {
            ["0.weight"] = [32, 1, 3, 3], ["0.bias"] = [32], ["2.weight"] = [64, 32, 3, 3], ["2.bias"] = [64],
            ["5.weight"] = [10, 36864], ["5.bias"] = [10],
        };
        var weights = Weights(model);
        long offset = 0;
        long dataStart = 8 + (long)n;
        foreach (var e in entries)
        {
            Assert.Equal("F32", e.Value.GetProperty("dtype").GetString());
            long[] shape = e.Value.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            Assert.Equal(expectedShapes[e.Name], shape);
            long[] offs = e.Value.GetProperty("data_offsets").EnumerateArray().Select(s => s.GetInt64()).ToArray();
            Assert.Equal(2, offs.Length);
            Assert.Equal(offset, offs[0]); // contiguous, in key order, from 0
            Assert.Equal(shape.Aggregate(1L, (a, b) => a * b) * 4, offs[1] - offs[0]);
            // The raw bytes are the parameter values, little-endian float32.
            var values = weights[e.Name].Data;
            for (int i = 0; i < values.Length; i += Math.Max(1, values.Length / 7))
                Assert.Equal(values[i], BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan((int)(dataStart + offs[0] + 4L * i), 4)));
            offset = offs[1];
        }
        Assert.Equal(file.Length - dataStart, offset); // nothing after the last tensor
    }

    [Fact]
    public void Save_LeavesNoTemporaryFiles_EvenWhenOverwriting()
    {
        using var dir = new TempDirectory();
        using var model = NewModel();
        Checkpoint.Save(dir.Path, model, History());
        string firstSha = Checkpoint.ReadMetadata(dir.Path).WeightsSha256;
        using (torch.no_grad()) model.Network.parameters().First().add_(1f);
        Checkpoint.Save(dir.Path, model);

        var files = Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "model.json", "model.safetensors" }, files);
        Assert.NotEqual(firstSha, Checkpoint.ReadMetadata(dir.Path).WeightsSha256);
        var (loaded, _) = Checkpoint.Load(dir.Path); // the overwritten pair still matches
        loaded.Dispose();
    }

    [Fact]
    public void Load_MissingFolder_SaysItDoesNotExist()
    {
        string missing = Path.Combine(Path.GetTempPath(), "glassbox-no-such-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.Load(missing));
        Assert.Contains($"Checkpoint folder '{missing}' does not exist", ex.Message);
    }

    [Fact]
    public void Load_FolderWithoutModelJson_SaysModelJsonIsMissing()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("readme.txt"), "not a checkpoint");
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("is not a Glassbox checkpoint: model.json is missing", ex.Message);
    }

    [Fact]
    public void Load_WithoutWeightsFile_NamesTheMissingFile()
    {
        using var dir = new TempDirectory();
        using var model = NewModel();
        Checkpoint.Save(dir.Path, model);
        File.Delete(dir.File("model.safetensors"));
        Assert.Contains("has no model.safetensors", Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path)).Message);
    }

    [Fact]
    public void Load_InvalidOrForeignJson_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("model.json"), "{ not json");
        Assert.Contains("is not valid checkpoint JSON", Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path)).Message);
        File.WriteAllText(dir.File("model.json"), """{"format":"something-else","version":1}""");
        Assert.Contains("format 'something-else'", Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path)).Message);
    }

    [Fact]
    public void Load_ModifiedWeightsFile_ReportsSha256Mismatch()
    {
        using var dir = new TempDirectory();
        using var model = NewModel();
        Checkpoint.Save(dir.Path, model);
        string expected = Checkpoint.ReadMetadata(dir.Path).WeightsSha256;
        byte[] bytes = File.ReadAllBytes(dir.File("model.safetensors"));
        bytes[^3] ^= 0x40; // flip one bit of the last float
        File.WriteAllBytes(dir.File("model.safetensors"), bytes);
        string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));

        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("does not belong to 'model.json'", ex.Message);
        Assert.Contains($"SHA-256 {actual}, expected {expected}", ex.Message);
    }

    [Fact]
    public void LoadWeights_MissingKey_NamesTheKey()
    {
        using var model = NewModel();
        var w = Weights(model);
        w.Remove("3.bias");
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.LoadWeights(model, w, "hand-made"));
        Assert.Contains("'hand-made' does not match architecture 'pooled-cnn': missing 3.bias.", ex.Message);
    }

    [Fact]
    public void LoadWeights_ExtraKey_NamesTheKey()
    {
        using var model = NewModel();
        var w = Weights(model);
        w["9.weight"] = new SafeTensor([2], [1f, 2f]);
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.LoadWeights(model, w, "hand-made"));
        Assert.Contains("unexpected 9.weight", ex.Message);
        Assert.DoesNotContain("missing", ex.Message);

        w.Remove("0.weight");
        var both = Assert.Throws<GlassboxException>(() => Checkpoint.LoadWeights(model, w, "hand-made"));
        Assert.Contains("missing 0.weight; unexpected 9.weight", both.Message);
    }

    [Fact]
    public void LoadWeights_WrongShape_NamesTheKeyAndBothShapes()
    {
        using var model = NewModel();
        var w = Weights(model);
        w["7.weight"] = new SafeTensor([10, 1599], new float[15990]);
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.LoadWeights(model, w, "hand-made"));
        Assert.Contains("tensor '7.weight' has shape [10, 1599] but architecture 'pooled-cnn' needs [10, 1600]", ex.Message);
    }

    [Fact]
    public void LoadWeights_NaNOrInfinity_IsRejected_NamingTheKey()
    {
        using var model = NewModel();
        var w = Weights(model);
        w["0.bias"].Data[5] = float.NaN;
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.LoadWeights(model, w, "hand-made"));
        Assert.Contains("tensor '0.bias' contains NaN or infinite values", ex.Message);

        var w2 = Weights(model);
        w2["7.bias"].Data[0] = float.NegativeInfinity;
        Assert.Contains("'7.bias'", Assert.Throws<GlassboxException>(() => Checkpoint.LoadWeights(model, w2, "x")).Message);
    }

    [Fact]
    public void LoadWeights_CopiesTheValues()
    {
        using var model = NewModel();
        var w = Weights(model);
        for (int i = 0; i < w["7.bias"].Data.Length; i++) w["7.bias"].Data[i] = i * 0.5f;
        Checkpoint.LoadWeights(model, w, "hand-made");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 0.5f), Weights(model)["7.bias"].Data);
    }

    [Fact]
    public void Checkpoint_WithNaNWeights_FailsToLoad()
    {
        using var dir = new TempDirectory();
        using var model = NewModel();
        using (torch.no_grad()) model.Network.state_dict()["3.weight"][0, 0, 0, 0] = float.NaN;
        Checkpoint.Save(dir.Path, model);
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("tensor '3.weight' contains NaN", ex.Message);
    }

    [Fact]
    public void Load_WeightsOfAnotherArchitecture_NamesMissingAndUnexpectedKeys()
    {
        // A reference-cnn weights file paired with a model.json claiming pooled-cnn (consistent hash).
        using var dir = new TempDirectory();
        using var reference = NewModel(Architecture.ReferenceCnn);
        Checkpoint.Save(dir.Path, reference);
        string json = File.ReadAllText(dir.File("model.json")).Replace("\"reference-cnn\"", "\"pooled-cnn\"");
        File.WriteAllText(dir.File("model.json"), json);
        var ex = Assert.Throws<GlassboxException>(() => Checkpoint.Load(dir.Path));
        Assert.Contains("missing 3.weight, 3.bias, 7.weight, 7.bias", ex.Message);
        Assert.Contains("unexpected 2.bias, 2.weight, 5.bias, 5.weight", ex.Message);
    }
}
