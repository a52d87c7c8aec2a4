using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Glassbox.App;

/// <summary>One shard of a sharded run: <see cref="Index"/> of <see cref="Count"/> (0-based, as Kubernetes' JOB_COMPLETION_INDEX and a Slurm array 0..n−1).</summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>Largest number of shards.</summary>
    public const int MaxCount = 100_000;

    /// <summary>Parses "k/n" (0 ≤ k &lt; n); anything else is one clear error.</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Trim().Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            && n is >= 1 and <= MaxCount && k < n)
            return new ShardSpec(k, n);
        throw new GlassboxException($"--shard '{text}' is not k/n with 0 ≤ k < n ≤ {MaxCount} (shards count from 0, e.g. --shard 0/4 … 3/4).");
    }

    /// <inheritdoc />
    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>
/// The deterministic, seeded partition of a sharded <c>explain</c>. The inputs are cut into blocks of <c>--chunk-size</c>
/// consecutive inputs (block b = inputs [b·C, min((b+1)·C, N))): the same batches a single process explains, so every
/// shard's arrays equal the single run's bit for bit. Blocks are ordered by the first 8 bytes (big-endian) of
/// SHA-256("glassbox-shard-v1:{seed}:{b}"), ties by b; the block at position p of that order goes to shard p mod n.
/// Each shard explains its blocks in input order. The shards are disjoint, their union is every input, and their block
/// counts differ by at most one.
/// </summary>
public sealed record ShardPlan(int TotalInputs, int ChunkSize, int Count, int Seed)
{
    /// <summary>Name of the rule, recorded in explanation.json so a merge can tell a different rule apart.</summary>
    public const string Rule = "glassbox-shard-v1";

    /// <summary>Number of blocks of <see cref="ChunkSize"/> inputs.</summary>
    public int Blocks => TotalInputs == 0 ? 0 : (int)(((long)TotalInputs + ChunkSize - 1) / ChunkSize);

    /// <summary>The plan for <paramref name="totalInputs"/> inputs in blocks of <paramref name="chunkSize"/> over <paramref name="count"/> shards.</summary>
    public static ShardPlan Create(int totalInputs, int chunkSize, int count, int seed)
    {
        if (chunkSize < 1)
            throw new GlassboxException("--shard needs --chunk-size of at least 1: shards are made of whole chunks, so that they explain the same batches as one process.");
        if (count < 1) throw new GlassboxException($"A sharded run needs at least one shard, not {count}.");
        return new ShardPlan(totalInputs, chunkSize, count, seed);
    }

    /// <summary>The blocks of shard <paramref name="index"/>, ascending.</summary>
    public int[] BlocksOf(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"Shard {index} is outside 0..{Count - 1}.");
        var order = Order();
        var mine = new List<int>();
        for (int p = index; p < order.Length; p += Count) mine.Add(order[p]);
        mine.Sort();
        return mine.ToArray();
    }

    /// <summary>The shard each block goes to.</summary>
    public int[] Owners()
    {
        var order = Order();
        var owner = new int[order.Length];
        for (int p = 0; p < order.Length; p++) owner[order[p]] = p % Count;
        return owner;
    }

    private int[] Order() => Enumerable.Range(0, Blocks).Select(b => (Key: Key(Seed, b), Block: b))
        .OrderBy(x => x.Key).ThenBy(x => x.Block).Select(x => x.Block).ToArray();

    /// <summary>The inputs of shard <paramref name="index"/>, ascending (its blocks' inputs in order).</summary>
    public int[] InputsOf(int index)
        => BlocksOf(index).SelectMany(b => Enumerable.Range(b * ChunkSize, Math.Min(ChunkSize, TotalInputs - b * ChunkSize))).ToArray();

    /// <summary>Rows of block <paramref name="block"/>.</summary>
    public int BlockRows(int block) => Math.Min(ChunkSize, TotalInputs - block * ChunkSize);

    private static ulong Key(int seed, int block)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Rule}:{seed}:{block}")), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
