using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Glassbox.Models.Graph;

/// <summary>
/// The ONNX operators the importer turns into TorchSharp functions (inference semantics, ONNX operator specification
/// opsets 7–18). Each builder reads the node's attributes and constant inputs at load and returns a differentiable
/// function of the operands in ONNX input order.
/// </summary>
internal static class OnnxOps
{
    /// <summary>The supported op types.</summary>
    public static readonly IReadOnlySet<string> Supported = new HashSet<string>
    {
        "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Softplus", "Clip",
        "MaxPool", "AveragePool", "GlobalAveragePool", "BatchNormalization", "Flatten", "Reshape", "Transpose", "Concat",
        "Softmax", "Dropout", "Identity", "Pad", "ReduceMean", "Squeeze", "Unsqueeze", "Constant", "Shape", "Gather", "Cast", "Slice",
        "ConstantOfShape",
    };

    /// <summary>ONNX input names per op, the keys of constant operands in <see cref="GraphNode.Parameters"/>.</summary>
    public static string InputName(string op, int pos) => (op switch
    {
        "Conv" => ["X", "W", "B"],
        "Gemm" => ["A", "B", "C"],
        "MatMul" or "Add" or "Sub" or "Mul" or "Div" => ["A", "B"],
        "BatchNormalization" => ["X", "scale", "B", "input_mean", "input_var"],
        _ => Array.Empty<string>(),
    }) is { } names && pos < names.Length ? names[pos] : $"input_{pos}";

    /// <summary>The function of node <paramref name="c"/> over its operands (null where an optional input is omitted).</summary>
    public static Func<Tensor?[], Tensor> Build(OnnxOpContext c) => c.OpType switch
    {
        "Conv" => Conv(c),
        "Gemm" => Gemm(c),
        "MatMul" => a => matmul(a[0]!, a[1]!),
        "Add" => a => a[0]! + a[1]!,
        "Sub" => a => a[0]! - a[1]!,
        "Mul" => a => a[0]! * a[1]!,
        "Div" => a => is_integral(a[0]!.dtype) && is_integral(a[1]!.dtype) ? a[0]!.div(a[1]!, RoundingMode.trunc) : a[0]! / a[1]!,
        "Relu" => a => F.relu(a[0]!),
        "LeakyRelu" => LeakyRelu(c),
        "Elu" => Elu(c),
        "Sigmoid" => a => F.sigmoid(a[0]!),
        "Tanh" => a => F.tanh(a[0]!),
        "Softplus" => a => F.softplus(a[0]!),
        "Clip" => Clip(c),
        "MaxPool" => MaxPool(c),
        "AveragePool" => AveragePool(c),
        "GlobalAveragePool" => GlobalAveragePool(c),
        "BatchNormalization" => BatchNormalization(c),
        "Flatten" => Flatten(c),
        "Reshape" => Reshape(c),
        "Transpose" => Transpose(c),
        "Concat" => Concat(c),
        "Softmax" => Softmax(c),
        "Dropout" or "Identity" => Identity(c),
        "Pad" => Pad(c),
        "ReduceMean" => ReduceMean(c),
        "Squeeze" => Squeeze(c),
        "Unsqueeze" => Unsqueeze(c),
        "Gather" => Gather(c),
        "Cast" => Cast(c),
        "Slice" => Slice(c),
        "ConstantOfShape" => ConstantOfShape(c),
        _ => throw c.Refuse("this op is not supported by the graph importer"),
    };

    private static long Norm(long axis, long rank) => axis < 0 ? axis + rank : axis;

    private static Func<Tensor?[], Tensor> LeakyRelu(OnnxOpContext c)
    {
        double alpha = c.Float("alpha", 0.01);
        c.Attributes["alpha"] = alpha;
        return a => F.leaky_relu(a[0]!, alpha);
    }

    private static Func<Tensor?[], Tensor> Elu(OnnxOpContext c)
    {
        double alpha = c.Float("alpha", 1.0);
        c.Attributes["alpha"] = alpha;
        return a => F.elu(a[0]!, alpha);
    }

    private static Func<Tensor?[], Tensor> Identity(OnnxOpContext c)
    {
        if (c.OpType == "Dropout")
        {
            c.Config(1); // ratio: ignored at inference
            if (c.Config(2) is { } training && training.to_type(ScalarType.Bool).item<bool>())
                throw c.Refuse("training_mode is true; the importer runs models for inference");
        }
        return a => a[0]!.alias();
    }

    private static Func<Tensor?[], Tensor> Clip(OnnxOpContext c)
    {
        double? min = c.Opset >= 11 ? c.Scalar(1, "min") : c.Scalar(-1, "min");
        double? max = c.Opset >= 11 ? c.Scalar(2, "max") : c.Scalar(-1, "max");
        return a => a[0]!.clamp(min is { } lo ? (Scalar)lo : null, max is { } hi ? (Scalar)hi : null);
    }

    /// <summary>Explicit pads (begin…, end…) for the spatial dims from <c>pads</c> or <c>auto_pad</c>.</summary>
    private static long[] SpatialPads(OnnxOpContext c, long[] inputShape, long[] kernel, long[] strides, long[] dilations)
    {
        int n = kernel.Length;
        string autoPad = c.Str("auto_pad", "NOTSET");
        long[] pads = c.Ints("pads") ?? new long[2 * n];
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            pads = new long[2 * n];
            for (int i = 0; i < n; i++)
            {
                long size = inputShape[2 + i];
                long output = (size + strides[i] - 1) / strides[i];
                long total = Math.Max(0, (output - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size);
                long small = total / 2;
                (pads[i], pads[n + i]) = autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small);
            }
        }
        else if (autoPad == "VALID") pads = new long[2 * n];
        else if (autoPad != "NOTSET") throw c.Refuse($"auto_pad '{autoPad}' is not an ONNX value");
        if (pads.Length != 2 * n) throw c.Refuse($"pads has {pads.Length} values for {n} spatial dims");
        c.Attributes["pads"] = pads;
        return pads;
    }

    private static bool Symmetric(long[] pads) => pads.Take(pads.Length / 2).SequenceEqual(pads.Skip(pads.Length / 2));

    /// <summary>torch's pad list (last dim first) for ONNX spatial pads (begin…, end…).</summary>
    private static long[] TorchPads(long[] pads)
    {
        int n = pads.Length / 2;
        var result = new long[2 * n];
        for (int i = 0; i < n; i++)
        {
            result[2 * i] = pads[n - 1 - i];
            result[2 * i + 1] = pads[2 * n - 1 - i];
        }
        return result;
    }

    private static void Require2d(OnnxOpContext c, long[] kernel)
    {
        if (kernel.Length != 2 || c.Shape(0).Length != 4)
            throw c.Refuse($"only 2-D images (N×C×H×W, 2-D kernels) are supported, got input {string.Join("×", c.Shape(0))}");
    }

    private static Func<Tensor?[], Tensor> Conv(OnnxOpContext c)
    {
        if (!c.Has(1)) throw c.Refuse("has no weight input");
        long[] kernel = c.Ints("kernel_shape") ?? c.Shape(1)[2..];
        Require2d(c, kernel);
        long[] strides = c.Ints("strides") ?? [1, 1], dilations = c.Ints("dilations") ?? [1, 1];
        long groups = c.Int("group", 1);
        long[] pads = SpatialPads(c, c.Shape(0), kernel, strides, dilations);
        foreach (var (key, value) in new (string, object)[] { ("kernel_shape", kernel), ("strides", strides), ("dilations", dilations), ("group", groups) })
            c.Attributes[key] = value;
        if (Symmetric(pads))
        {
            long[] padding = pads[..2];
            return a => F.conv2d(a[0]!, a[1]!, a[2], strides, padding, dilations, groups);
        }
        long[] torchPads = TorchPads(pads);
        return a =>
        {
            using var padded = F.pad(a[0]!, torchPads);
            return F.conv2d(padded, a[1]!, a[2], strides, [0, 0], dilations, groups);
        };
    }

    private static Func<Tensor?[], Tensor> Gemm(OnnxOpContext c)
    {
        double alpha = c.Float("alpha", 1.0), beta = c.Float("beta", 1.0);
        long transA = c.Int("transA", 0), transB = c.Int("transB", 0);
        foreach (var (key, value) in new (string, object)[] { ("alpha", alpha), ("beta", beta), ("transA", transA), ("transB", transB) })
            c.Attributes[key] = value;
        if (alpha == 1 && beta == 1 && transA == 0 && transB == 1)
            return a => F.linear(a[0]!, a[1]!, a[2]);
        return a =>
        {
            using var scope = NewDisposeScope();
            var A = transA != 0 ? a[0]!.t() : a[0]!;
            var B = transB != 0 ? a[1]!.t() : a[1]!;
            var y = matmul(A, B);
            if (alpha != 1) y = y * alpha;
            if (a[2] is { } C) y = y + (beta == 1 ? C : C * beta);
            return y.MoveToOuterDisposeScope();
        };
    }

    private static (long[] Kernel, long[] Strides, long[] Pads, bool Ceil) Pooling(OnnxOpContext c, long[] dilations)
    {
        long[] kernel = c.Ints("kernel_shape") ?? throw c.Refuse("has no kernel_shape");
        Require2d(c, kernel);
        long[] strides = c.Ints("strides") ?? [1, 1];
        long[] pads = SpatialPads(c, c.Shape(0), kernel, strides, dilations);
        bool ceil = c.Int("ceil_mode", 0) != 0;
        c.Attributes["kernel_shape"] = kernel;
        c.Attributes["strides"] = strides;
        c.Attributes["ceil_mode"] = ceil ? 1L : 0L;
        return (kernel, strides, pads, ceil);
    }

    private static Func<Tensor?[], Tensor> MaxPool(OnnxOpContext c)
    {
        long[] dilations = c.Ints("dilations") ?? [1, 1];
        var (kernel, strides, pads, ceil) = Pooling(c, dilations);
        c.Attributes["dilations"] = dilations;
        if (Symmetric(pads) && pads[0] * 2 <= kernel[0] && pads[1] * 2 <= kernel[1])
        {
            long[] padding = pads[..2];
            return a => F.max_pool2d(a[0]!, kernel, strides, padding, dilations, ceil);
        }
        if (ceil) throw c.Refuse("asymmetric pads with ceil_mode are not supported");
        long[] torchPads = TorchPads(pads);
        return a =>
        {
            using var padded = F.pad(a[0]!, torchPads, PaddingModes.Constant, double.NegativeInfinity);
            return F.max_pool2d(padded, kernel, strides, [0, 0], dilations, false);
        };
    }

    private static Func<Tensor?[], Tensor> AveragePool(OnnxOpContext c)
    {
        if (c.Ints("dilations") is { } d && d.Any(v => v != 1)) throw c.Refuse("dilated average pooling is not supported");
        var (kernel, strides, pads, ceil) = Pooling(c, [1, 1]);
        bool includePad = c.Int("count_include_pad", 0) != 0;
        c.Attributes["count_include_pad"] = includePad ? 1L : 0L;
        if (Symmetric(pads) && pads[0] * 2 <= kernel[0] && pads[1] * 2 <= kernel[1])
        {
            long[] padding = pads[..2];
            return a => F.avg_pool2d(a[0]!, kernel, strides, padding, ceil, includePad);
        }
        if (!includePad || ceil) throw c.Refuse("asymmetric pads are supported only with count_include_pad = 1 and ceil_mode = 0");
        long[] torchPads = TorchPads(pads);
        return a =>
        {
            using var padded = F.pad(a[0]!, torchPads);
            return F.avg_pool2d(padded, kernel, strides, [0, 0], false, true);
        };
    }

    private static Func<Tensor?[], Tensor> GlobalAveragePool(OnnxOpContext c)
    {
        long[] dims = Enumerable.Range(2, c.Shape(0).Length - 2).Select(i => (long)i).ToArray();
        if (dims.Length == 0) throw c.Refuse("needs an input with spatial dims");
        return a => a[0]!.mean(dims, keepdim: true);
    }

    private static Func<Tensor?[], Tensor> BatchNormalization(OnnxOpContext c)
    {
        if (c.Int("training_mode", 0) != 0) throw c.Refuse("training_mode is set; the importer runs models for inference");
        for (int i = 1; i < 5; i++)
            if (!c.Has(i)) throw c.Refuse($"input {i} is missing");
        double eps = c.Float("epsilon", 1e-5);
        c.Attributes["epsilon"] = eps;
        return a => F.batch_norm(a[0]!, a[3]!, a[4]!, a[1]!, a[2]!, false, 0.0, eps);
    }

    private static Func<Tensor?[], Tensor> Flatten(OnnxOpContext c)
    {
        long axis = c.Int("axis", 1);
        c.Attributes["axis"] = axis;
        return a =>
        {
            var shape = a[0]!.shape;
            long k = Norm(axis, shape.Length);
            long outer = shape.Take((int)k).Aggregate(1L, (p, v) => p * v);
            return a[0]!.reshape(outer, -1);
        };
    }

    private static Func<Tensor?[], Tensor> Reshape(OnnxOpContext c)
    {
        var shapeTensor = c.Config(1, batchMayVary: true) ?? throw c.Refuse("has no shape input");
        long[] shape = shapeTensor.to_type(ScalarType.Int64).data<long>().ToArray();
        bool allowZero = c.Int("allowzero", 0) != 0;
        if (c.Operands[1]!.AtBatch2 is { } at2)
        {
            // A Shape → Gather → Unsqueeze → Concat chain that copies the batch size: keep it as "copy dim 0" (ONNX 0).
            long[] shape2 = at2.to_type(ScalarType.Int64).data<long>().ToArray();
            for (int i = 0; i < shape.Length; i++)
                if (shape[i] != shape2[i])
                {
                    if (i != 0 || shape[i] != 1 || shape2[i] != 2 || allowZero)
                        throw c.Refuse($"its target shape entry {i} depends on the batch size in a way the importer cannot fold");
                    shape[i] = 0;
                }
        }
        c.Attributes["shape"] = shape;
        return a =>
        {
            var x = a[0]!;
            var target = (long[])shape.Clone();
            for (int i = 0; i < target.Length; i++)
                if (target[i] == 0 && !allowZero) target[i] = x.shape[i];
            return x.reshape(target);
        };
    }

    private static Func<Tensor?[], Tensor> Transpose(OnnxOpContext c)
    {
        int rank = c.Shape(0).Length;
        long[] perm = c.Ints("perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        c.Attributes["perm"] = perm;
        return a => a[0]!.permute(perm);
    }

    private static Func<Tensor?[], Tensor> Concat(OnnxOpContext c)
    {
        long axis = c.Int("axis", 0);
        c.Attributes["axis"] = axis;
        return a => cat(a.Select(t => t!).ToArray(), axis);
    }

    private static Func<Tensor?[], Tensor> Softmax(OnnxOpContext c)
    {
        long fallback = c.Opset >= 13 ? -1 : 1;
        long axis = c.Int("axis", fallback);
        c.Attributes["axis"] = axis;
        if (c.Opset >= 13) return a => F.softmax(a[0]!, axis);
        // Before opset 13: softmax over the input coerced to 2-D at axis.
        return a =>
        {
            var shape = a[0]!.shape;
            long k = Norm(axis, shape.Length);
            long outer = shape.Take((int)k).Aggregate(1L, (p, v) => p * v);
            using var flat = a[0]!.reshape(outer, -1);
            using var s = F.softmax(flat, 1);
            return s.reshape(shape);
        };
    }

    private static Func<Tensor?[], Tensor> Pad(OnnxOpContext c)
    {
        string mode = c.Str("mode", "constant");
        long[] pads = (c.Opset >= 11 ? c.Longs(1, "pads") : c.Ints("pads")) ?? throw c.Refuse("has no pads");
        double value = c.Opset >= 11 ? c.Scalar(2, "constant_value") ?? 0 : c.Float("value", 0);
        int rank = c.Shape(0).Length;
        long[]? axes = c.Opset >= 18 ? c.Longs(3, "axes") : null;
        long[] full = new long[2 * rank];
        if (axes is null)
        {
            if (pads.Length != 2 * rank) throw c.Refuse($"pads has {pads.Length} values for rank {rank}");
            full = pads;
        }
        else
            for (int i = 0; i < axes.Length; i++)
            {
                long ax = Norm(axes[i], rank);
                full[ax] = pads[i];
                full[rank + ax] = pads[axes.Length + i];
            }
        c.Attributes["pads"] = full;
        c.Attributes["mode"] = mode;
        int first = Enumerable.Range(0, rank).FirstOrDefault(i => full[i] != 0 || full[rank + i] != 0, rank);
        if (first == rank) return a => a[0]!.alias();
        var torchMode = mode switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            _ => throw c.Refuse($"mode '{mode}' is not supported"),
        };
        if (torchMode != PaddingModes.Constant && (rank != 4 || first < 2))
            throw c.Refuse($"{mode} padding is supported on the spatial dims of N×C×H×W tensors only");
        var torchPads = new List<long>();
        for (int i = rank - 1; i >= first; i--) { torchPads.Add(full[i]); torchPads.Add(full[rank + i]); }
        long[] p = [.. torchPads];
        return a => F.pad(a[0]!, p, torchMode, value);
    }

    private static Func<Tensor?[], Tensor> ReduceMean(OnnxOpContext c)
    {
        long[]? axes = c.Opset >= 18 ? c.Longs(1, "axes") : c.Ints("axes");
        bool keep = c.Int("keepdims", 1) != 0;
        c.Attributes["keepdims"] = keep ? 1L : 0L;
        int rank = c.Shape(0).Length;
        if (axes is null || axes.Length == 0)
        {
            if (c.Int("noop_with_empty_axes", 0) != 0) return a => a[0]!.alias();
            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }
        long[] dims = axes.Select(x => Norm(x, rank)).ToArray();
        c.Attributes["axes"] = dims;
        return a => a[0]!.mean(dims, keepdim: keep);
    }

    private static Func<Tensor?[], Tensor> Squeeze(OnnxOpContext c)
    {
        long[] shape = c.Shape(0);
        long[]? axes = c.Opset >= 13 ? c.Longs(1, "axes") : c.Ints("axes");
        // Without axes, squeeze the unit dims the model has for any batch size (never the batch dim of a node output).
        long[] dims = axes is null
            ? Enumerable.Range(0, shape.Length).Where(i => shape[i] == 1 && !(i == 0 && c.Operands[0]!.IsDynamic)).Select(i => (long)i).ToArray()
            : axes.Select(x => Norm(x, shape.Length)).ToArray();
        c.Attributes["axes"] = dims;
        long[] descending = dims.OrderByDescending(x => x).ToArray();
        return a =>
        {
            var y = a[0]!.alias();
            foreach (long d in descending)
            {
                var next = y.squeeze(d);
                y.Dispose();
                y = next;
            }
            return y;
        };
    }

    private static Func<Tensor?[], Tensor> Unsqueeze(OnnxOpContext c)
    {
        long[] axes = (c.Opset >= 13 ? c.Longs(1, "axes") : c.Ints("axes")) ?? throw c.Refuse("has no axes");
        long outRank = c.Shape(0).Length + axes.Length;
        long[] dims = axes.Select(x => Norm(x, outRank)).OrderBy(x => x).ToArray();
        c.Attributes["axes"] = dims;
        return a =>
        {
            var y = a[0]!.alias();
            foreach (long d in dims)
            {
                var next = y.unsqueeze(d);
                y.Dispose();
                y = next;
            }
            return y;
        };
    }

    private static Func<Tensor?[], Tensor> Gather(OnnxOpContext c)
    {
        if (c.Operands[0]!.IsDynamic) throw c.Refuse("gathering from image activations is not supported (only Shape chains are folded)");
        var indices = c.Config(1) ?? throw c.Refuse("has no indices");
        long axis = c.Int("axis", 0);
        c.Attributes["axis"] = axis;
        return a =>
        {
            long k = Norm(axis, a[0]!.dim());
            using var idx = indices.to_type(ScalarType.Int64);
            using var positive = where(idx < 0, idx + a[0]!.shape[k], idx);
            if (positive.dim() == 0) return a[0]!.select(k, positive.item<long>());
            return a[0]!.index_select(k, positive.flatten()).reshape([.. a[0]!.shape[..(int)k], .. positive.shape, .. a[0]!.shape[((int)k + 1)..]]);
        };
    }

    private static Func<Tensor?[], Tensor> Cast(OnnxOpContext c)
    {
        long to = c.Int("to", 1);
        var type = to switch
        {
            1 => ScalarType.Float32,
            6 => ScalarType.Int32,
            7 => ScalarType.Int64,
            9 => ScalarType.Bool,
            11 => ScalarType.Float64,
            _ => throw c.Refuse($"cast to ONNX type {to} is not supported"),
        };
        if (c.Operands[0]!.IsDynamic && type != ScalarType.Float32) throw c.Refuse("casting image activations away from float32 is not supported");
        return a => a[0]!.to_type(type);
    }

    private static Func<Tensor?[], Tensor> ConstantOfShape(OnnxOpContext c)
    {
        long[] shape = c.Longs(0, "shape") ?? throw c.Refuse("has no shape input");
        var proto = c.Proto.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        using var value = proto is null ? tensor(0f) : OnnxTensors.ToTensor(proto, CPU);
        if (value.numel() != 1) throw c.Refuse("its value must hold one element");
        var type = value.dtype;
        var scalar = value.reshape(-1)[0].to_type(ScalarType.Float64).item<double>();
        return _ => full(shape, scalar, type);
    }

    private static Func<Tensor?[], Tensor> Slice(OnnxOpContext c)
    {
        long[] starts = (c.Opset >= 10 ? c.Longs(1, "starts") : c.Ints("starts")) ?? throw c.Refuse("has no starts");
        long[] ends = (c.Opset >= 10 ? c.Longs(2, "ends") : c.Ints("ends")) ?? throw c.Refuse("has no ends");
        long[] shape = c.Shape(0);
        long[] axes = (c.Opset >= 10 ? c.Longs(3, "axes") : c.Ints("axes")) ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        long[] steps = (c.Opset >= 10 ? c.Longs(4, "steps") : null) ?? Enumerable.Repeat(1L, starts.Length).ToArray();
        if (steps.Any(s => s == 0)) throw c.Refuse("a slice step is 0");
        var dims = axes.Select(a => Norm(a, shape.Length)).ToArray();
        if (c.Operands[0]!.IsDynamic && dims.Contains(0)) throw c.Refuse("slicing the batch dim is not supported");
        return a =>
        {
            var y = a[0]!.alias();
            for (int i = 0; i < dims.Length; i++)
            {
                long size = y.shape[dims[i]], step = steps[i];
                long s = starts[i] < 0 ? starts[i] + size : starts[i], e = ends[i] < 0 ? ends[i] + size : ends[i];
                // ONNX Slice: clamp to [0, size] for positive steps, [-1, size - 1] for negative ones.
                (s, e) = step > 0 ? (Math.Clamp(s, 0, size), Math.Clamp(e, 0, size)) : (Math.Clamp(s, 0, size - 1), Math.Clamp(e, -1, size - 1));
                var idx = new List<long>();
                for (long k = s; step > 0 ? k < e : k > e; k += step) idx.Add(k);
                using var index = tensor(idx.ToArray(), device: y.device);
                var next = y.index_select(dims[i], index);
                y.Dispose();
                y = next;
            }
            return y;
        };
    }
}
