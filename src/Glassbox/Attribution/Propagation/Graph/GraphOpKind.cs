namespace Glassbox.Attribution.Propagation;

/// <summary>What a backward rule needs to know of an ONNX node without an <c>nn.Module</c> equivalent.</summary>
public enum GraphOpKind
{
    /// <summary>Moves values without computing (Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Pad, Slice, Cast): the gradient puts them back.</summary>
    Shape,
    /// <summary>Affine in its one activation, mixing values (GlobalAveragePool, ReduceMean, AveragePool, BatchNormalization, Conv, Gemm, MatMul).</summary>
    Linear,
    /// <summary>Element-wise shift or scale by a constant (Add, Sub, Mul, Div with a constant operand).</summary>
    Scale,
    /// <summary>An element-wise nonlinearity (Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Clip).</summary>
    Elementwise,
    /// <summary>Passes its input on (Dropout, Identity).</summary>
    Pass,
    /// <summary>Sum or difference of two activations (Add, Sub): a residual connection.</summary>
    Sum,
    /// <summary>Product of two activations (Mul), e.g. a squeeze-and-excitation gate.</summary>
    Product,
    /// <summary>Max-pooling with padding MaxPool2d cannot express (e.g. SAME_UPPER): the cross-max rule pads with −∞.</summary>
    MaxPool,
    /// <summary>Softmax over the last axis inside the graph (e.g. attention weights).</summary>
    Softmax,
    /// <summary>Concatenation of activations (Concat).</summary>
    Concat,
    /// <summary>Any other op: only its plain gradient is known.</summary>
    Other,
}
