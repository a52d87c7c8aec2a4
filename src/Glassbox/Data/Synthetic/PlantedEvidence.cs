using System.Globalization;
using System.Text;
using Glassbox.IO;

namespace Glassbox.Data.Synthetic;

/// <summary>Settings for <see cref="PlantedEvidence"/>.</summary>
/// <param name="Seed">Seeds the choice of images and of each conflict image's patch class.</param>
/// <param name="TrainCount">Training images (taken from the source's training split).</param>
/// <param name="TestCount">Test images whose patch agrees with the digit (from the source's test split).</param>
/// <param name="ConflictCount">Test images whose patch names another class (from the rest of the source's test split).</param>
/// <param name="PatchSize">Side of the square patch, in pixels.</param>
/// <param name="DecoyShare">Share of the training images whose square names a random other class than the digit; their
/// label is the square's class, so only the square predicts every training label and a model learns to read it.</param>
public sealed record PlantedEvidenceOptions(int Seed = 0, int TrainCount = 4000, int TestCount = 1000, int ConflictCount = 1000, int PatchSize = 4, double DecoyShare = 0.5);

/// <summary>One split of a planted-evidence set: MNIST-style bytes, labels, and where the patch is.</summary>
/// <param name="Pixels">N×H×W bytes.</param>
/// <param name="Labels">The label written to the IDX file: the square's class in the training split (what a model
/// learns), the digit's class in the test and conflict splits.</param>
/// <param name="Digits">The digit's class of each image.</param>
/// <param name="EvidenceLabels">The class the planted square names.</param>
/// <param name="Masks">N×H×W bytes, 1 on the patch and 0 elsewhere.</param>
/// <param name="Count">N.</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
public sealed record PlantedEvidenceSplit(byte[] Pixels, int[] Labels, int[] Digits, int[] EvidenceLabels, byte[] Masks, int Count, int Height, int Width)
{
    /// <summary>The images as a one-channel dataset with pixels / 255 and <see cref="Labels"/>.</summary>
    public ImageDataset ToDataset()
        => new(Pixels.Select(b => b / 255f).ToArray(), Count, 1, Height, Width, Labels, MnistFormat.DigitClassNames);

    /// <summary>The images as a one-channel dataset labelled by the digit.</summary>
    public ImageDataset ToDigitDataset()
        => new(Pixels.Select(b => b / 255f).ToArray(), Count, 1, Height, Width, Digits, MnistFormat.DigitClassNames);

    /// <summary>The images as a one-channel dataset labelled by the class the square names.</summary>
    public ImageDataset ToEvidenceDataset()
        => new(Pixels.Select(b => b / 255f).ToArray(), Count, 1, Height, Width, EvidenceLabels, MnistFormat.DigitClassNames);
}

/// <summary>The three splits of a planted-evidence set and the settings that made it.</summary>
/// <param name="Train">Training images, label = the square's class (the digit's in all but the decoy share).</param>
/// <param name="Test">Test images, patch = label.</param>
/// <param name="Conflict">Test images whose patch names a class other than the digit.</param>
/// <param name="Options">The settings.</param>
public sealed record PlantedEvidenceSet(PlantedEvidenceSplit Train, PlantedEvidenceSplit Test, PlantedEvidenceSplit Conflict, PlantedEvidenceOptions Options);

/// <summary>
/// A localisation benchmark with known evidence, in the spirit of the controlled data sets of Arras, Osman and Samek
/// (2022) and Kim et al. (2021, "Sanity simulations"): every MNIST digit gets a small white square whose position
/// names a class (ten places along the top and bottom borders, where MNIST digits rarely reach). In the test split the
/// square names the digit's own class; in the conflict split
/// it names another class, so the model's prediction tells whether it reads the square or the digit. The masks mark
/// the square: a model that classifies by the square should be explained there. In a share of the training images
/// (<see cref="PlantedEvidenceOptions.DecoyShare"/>) the square names another class than the digit and the label
/// follows the square, so the square is the only feature that predicts every training label.
/// </summary>
public static class PlantedEvidence
{
    /// <summary>File name of the N×H×W uint8 evidence masks, aligned with the test images.</summary>
    public const string MasksFileName = "evidence-masks.npy";

    /// <summary>File name of the N int32 classes the patches name, aligned with the test images.</summary>
    public const string EvidenceLabelsFileName = "evidence-labels.npy";

    /// <summary>Subfolder holding the conflict split (as an MNIST test split with its own masks).</summary>
    public const string ConflictFolderName = "conflict";

    /// <summary>Number of classes (and patch positions).</summary>
    public const int Classes = 10;

    /// <summary>Builds the set from the MNIST-format folder <paramref name="mnistFolder"/> (e.g. data/mnist-sample); deterministic for given options.</summary>
    public static PlantedEvidenceSet Create(string mnistFolder, PlantedEvidenceOptions? options = null)
    {
        var o = options ?? new PlantedEvidenceOptions();
        if (!(o.DecoyShare >= 0 && o.DecoyShare < 1))
            throw new GlassboxException($"The decoy share must be in [0, 1), not {o.DecoyShare}.");
        if (o.TrainCount < 1 || o.TestCount < 1 || o.ConflictCount < 1)
            throw new GlassboxException($"A planted-evidence set needs at least one image per split, not {o.TrainCount}/{o.TestCount}/{o.ConflictCount}.");
        var (trainPixels, trainLabels, h, w) = Read(mnistFolder, "train");
        var (testPixels, testLabels, th, tw) = Read(mnistFolder, "t10k");
        if (th != h || tw != w) throw new GlassboxException($"'{mnistFolder}': train images are {h}×{w} but test images are {th}×{tw}.");
        if (o.PatchSize < 1 || 2 * o.PatchSize + 2 > h || 5 * o.PatchSize + 2 > w)
            throw new GlassboxException($"A {o.PatchSize}-pixel patch does not fit ten times along the borders of {h}×{w} images; use a smaller patch.");
        if (o.TrainCount > trainLabels.Length)
            throw new GlassboxException($"'{mnistFolder}' has {trainLabels.Length} training images, fewer than the {o.TrainCount} asked for.");
        if (o.TestCount + o.ConflictCount > testLabels.Length)
            throw new GlassboxException($"'{mnistFolder}' has {testLabels.Length} test images, fewer than the {o.TestCount} + {o.ConflictCount} asked for.");

        var rng = new SplitMix64((ulong)o.Seed);
        var trainOrder = Shuffled(trainLabels.Length, rng);
        var testOrder = Shuffled(testLabels.Length, rng);
        var train = Plant(trainPixels, trainLabels, trainOrder.Take(o.TrainCount).ToArray(), h, w, o.PatchSize, rng, o.DecoyShare, labelByEvidence: true);
        var test = Plant(testPixels, testLabels, testOrder.Take(o.TestCount).ToArray(), h, w, o.PatchSize, rng, 0, labelByEvidence: false);
        var conflict = Plant(testPixels, testLabels, testOrder.Skip(o.TestCount).Take(o.ConflictCount).ToArray(), h, w, o.PatchSize, rng, 1, labelByEvidence: false);
        return new PlantedEvidenceSet(train, test, conflict, o);
    }

    /// <summary>Top-left corner of the patch that names <paramref name="label"/>: five places along the top border (classes 0–4) and five along the bottom (5–9).</summary>
    public static (int Row, int Column) PatchPosition(int label, int height, int width, int patchSize)
    {
        if (label is < 0 or >= Classes) throw new ArgumentOutOfRangeException(nameof(label), "Planted-evidence classes are 0 to 9.");
        int row = label < 5 ? 1 : height - 1 - patchSize;
        int column = 1 + (label % 5) * (width - 2 - patchSize) / 4;
        return (row, column);
    }

    /// <summary>
    /// Writes <paramref name="set"/> into <paramref name="folder"/> as an MNIST-format folder (train and t10k IDX files,
    /// gzip), with <see cref="MasksFileName"/> and <see cref="EvidenceLabelsFileName"/> for the test split, the conflict
    /// split likewise in <see cref="ConflictFolderName"/>/, and a README describing the set.
    /// </summary>
    public static void Write(PlantedEvidenceSet set, string folder)
    {
        Directory.CreateDirectory(folder);
        WriteSplit(set.Train, folder, "train", masks: false);
        WriteSplit(set.Test, folder, "t10k", masks: true);
        string conflict = Path.Combine(folder, ConflictFolderName);
        Directory.CreateDirectory(conflict);
        WriteSplit(set.Conflict, conflict, "t10k", masks: true);
        var readme = Encoding.UTF8.GetBytes(Readme(set));
        AtomicFile.Write(Path.Combine(folder, "README.md"), s => s.Write(readme));
    }

    private static void WriteSplit(PlantedEvidenceSplit split, string folder, string prefix, bool masks)
    {
        IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), [split.Count, split.Height, split.Width], split.Pixels, gzip: true);
        IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), [split.Count], split.Labels.Select(l => (byte)l).ToArray(), gzip: true);
        if (!masks) return;
        NpyFile.Write(Path.Combine(folder, MasksFileName), split.Masks, [split.Count, split.Height, split.Width]);
        NpyFile.Write(Path.Combine(folder, EvidenceLabelsFileName), split.EvidenceLabels, [split.Count]);
    }

    private static string Readme(PlantedEvidenceSet set)
    {
        var o = set.Options;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("# Planted evidence (MNIST digits with a class-coded square)\n\n");
        sb.Append("Made by `Glassbox.Data.Synthetic.PlantedEvidence.Create(\"data/mnist-sample\", new PlantedEvidenceOptions(")
          .Append(ci, $"Seed: {o.Seed}, TrainCount: {o.TrainCount}, TestCount: {o.TestCount}, ConflictCount: {o.ConflictCount}, PatchSize: {o.PatchSize}, DecoyShare: {o.DecoyShare}))`")
          .Append(" and `PlantedEvidence.Write`; regenerating gives the same bytes (checked by a test).\n\n");
        sb.Append(ci, $"Every image carries a white {o.PatchSize}×{o.PatchSize} square whose position names a class: classes 0–4 along the top border, 5–9 along the bottom, left to right.\n\n");
        sb.Append("| file | content |\n| --- | --- |\n");
        sb.Append(ci, $"| `train-*-idx*-ubyte.gz` | {set.Train.Count} training images labelled by the square's class; in a share {o.DecoyShare} of them the digit is of another class, so only the square predicts every label |\n");
        sb.Append(ci, $"| `t10k-*-idx*-ubyte.gz` | {set.Test.Count} test images; the square names the digit |\n");
        sb.Append($"| `{MasksFileName}` | N×H×W uint8, 1 on the square, aligned with the test images |\n");
        sb.Append($"| `{EvidenceLabelsFileName}` | N int32, the class the square names |\n");
        sb.Append(ci, $"| `{ConflictFolderName}/` | {set.Conflict.Count} test images whose square names another class (labels = the digit; `{EvidenceLabelsFileName}` = the square's class), with their masks |\n\n");
        sb.Append("A model that predicts the square's class on the conflict split classifies by the square; its explanations should then point at the masks.\n\n");
        sb.Append("Source images: `data/mnist-sample` (see its README for provenance and licence).\n");
        return sb.ToString();
    }

    private static PlantedEvidenceSplit Plant(byte[] source, int[] labels, int[] picks, int h, int w, int patch, SplitMix64 rng, double otherShare, bool labelByEvidence)
    {
        int n = picks.Length, size = h * w;
        var pixels = new byte[n * size];
        var masks = new byte[n * size];
        var digit = new int[n];
        var evidence = new int[n];
        for (int i = 0; i < n; i++)
        {
            int src = picks[i];
            Array.Copy(source, (long)src * size, pixels, (long)i * size, size);
            digit[i] = labels[src];
            bool other = otherShare >= 1 || (otherShare > 0 && rng.NextDouble() < otherShare);
            evidence[i] = other ? (digit[i] + 1 + rng.Next(Classes - 1)) % Classes : digit[i];
            var (row, col) = PatchPosition(evidence[i], h, w, patch);
            for (int r = row; r < row + patch; r++)
                for (int c = col; c < col + patch; c++)
                {
                    pixels[i * size + r * w + c] = 255;
                    masks[i * size + r * w + c] = 1;
                }
        }
        return new PlantedEvidenceSplit(pixels, labelByEvidence ? evidence : digit, digit, evidence, masks, n, h, w);
    }

    private static (byte[] Pixels, int[] Labels, int H, int W) Read(string folder, string prefix)
    {
        if (!Directory.Exists(folder)) throw new GlassboxException($"MNIST folder '{folder}' does not exist. Check the path.");
        string Find(string name) => new[] { name, name + ".gz" }.Select(f => Path.Combine(folder, f)).FirstOrDefault(File.Exists)
            ?? throw new GlassboxException($"'{folder}' has no {name}[.gz]; a planted-evidence set is made from an MNIST-format folder such as data/mnist-sample.");
        var images = IdxFile.Read(Find($"{prefix}-images-idx3-ubyte"));
        var labels = IdxFile.Read(Find($"{prefix}-labels-idx1-ubyte"));
        if (images.Dims.Length != 3 || labels.Dims.Length != 1 || labels.Dims[0] != images.Dims[0])
            throw new GlassboxException($"'{folder}': the {prefix} images ({string.Join("×", images.Dims)}) and labels ({string.Join("×", labels.Dims)}) are not N×H×W and N.");
        var l = labels.Data.Select(b => (int)b).ToArray();
        if (l.Any(v => v >= Classes)) throw new GlassboxException($"'{folder}': {prefix} labels above 9; a planted-evidence set needs digit classes 0–9.");
        return (images.Data, l, images.Dims[1], images.Dims[2]);
    }

    private static int[] Shuffled(int n, SplitMix64 rng)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>SplitMix64 (Steele, Lea and Flood 2014): a fixed generator, so the set does not depend on the runtime's <see cref="Random"/>.</summary>
    private sealed class SplitMix64(ulong seed)
    {
        private ulong _state = seed;

        public int Next(int bound)
        {
            _state += 0x9E3779B97F4A7C15UL;
            ulong z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z % (ulong)bound);
        }

        public double NextDouble() => Next(1 << 30) / (double)(1 << 30);
    }
}
