using System.Globalization;
using System.Text;

namespace Glassbox.IO;

/// <summary>The header dictionary of a .npy file: formats it as NumPy does and parses the Python literal back.</summary>
internal sealed record NpyHeader(string Descr, bool FortranOrder, int[] Shape)
{
    /// <summary>NumPy pads the header so that a shape's first dimension can grow to this many digits in place.</summary>
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>The header text without padding, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.</summary>
    public string Format()
    {
        var sb = new StringBuilder();
        sb.Append("{'descr': '").Append(Descr).Append("', 'fortran_order': ").Append(FortranOrder ? "True" : "False")
          .Append(", 'shape': ").Append(FormatShape(Shape)).Append(", }");
        if (Shape.Length > 0)
        {
            int growthAxis = FortranOrder ? Shape.Length - 1 : 0;
            sb.Append(' ', GrowthAxisMaxDigits - Shape[growthAxis].ToString(CultureInfo.InvariantCulture).Length);
        }
        return sb.ToString();
    }

    /// <summary>A shape as a Python tuple: <c>()</c>, <c>(5,)</c>, <c>(2, 3)</c>.</summary>
    public static string FormatShape(int[] shape) => shape.Length switch
    {
        0 => "()",
        1 => $"({shape[0].ToString(CultureInfo.InvariantCulture)},)",
        _ => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")",
    };

    /// <summary>Parses the header's Python dict literal; <paramref name="error"/> says what is wrong when it returns null.</summary>
    public static NpyHeader? Parse(string text, out string error)
    {
        var p = new Parser(text);
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        try
        {
            p.Expect('{');
            while (!p.TryConsume('}'))
            {
                string key = p.ReadString();
                p.Expect(':');
                switch (key)
                {
                    case "descr":
                        if (p.Peek() != '\'' && p.Peek() != '"')
                            throw new FormatException("'descr' is not a simple dtype string; structured dtypes are not supported");
                        descr = p.ReadString();
                        break;
                    case "fortran_order": fortran = p.ReadBool(); break;
                    case "shape": shape = p.ReadIntTuple(); break;
                    default: throw new FormatException($"unexpected key '{key}'");
                }
                if (!p.TryConsume(','))
                {
                    p.Expect('}');
                    break;
                }
            }
            p.ExpectEnd();
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
        if (descr is null || fortran is null || shape is null)
        {
            error = "it must define 'descr', 'fortran_order' and 'shape'";
            return null;
        }
        error = "";
        return new NpyHeader(descr, fortran.Value, shape);
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public char Peek()
        {
            SkipSpace();
            return _pos < text.Length ? text[_pos] : '\0';
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
                throw new FormatException($"expected '{c}' at position {_pos} but found {Describe()}");
        }

        public bool TryConsume(char c)
        {
            if (Peek() != c) return false;
            _pos++;
            return true;
        }

        public void ExpectEnd()
        {
            if (Peek() != '\0')
                throw new FormatException($"unexpected text after the dictionary at position {_pos}");
        }

        public string ReadString()
        {
            char quote = Peek();
            if (quote != '\'' && quote != '"')
                throw new FormatException($"expected a quoted string at position {_pos} but found {Describe()}");
            int end = text.IndexOf(quote, _pos + 1);
            if (end < 0)
                throw new FormatException($"unterminated string at position {_pos}");
            string s = text[(_pos + 1)..end];
            _pos = end + 1;
            return s;
        }

        public bool ReadBool()
        {
            Peek();
            if (string.CompareOrdinal(text, _pos, "True", 0, 4) == 0) { _pos += 4; return true; }
            if (string.CompareOrdinal(text, _pos, "False", 0, 5) == 0) { _pos += 5; return false; }
            throw new FormatException($"expected True or False at position {_pos} but found {Describe()}");
        }

        public int[] ReadIntTuple()
        {
            Expect('(');
            var dims = new List<int>();
            while (!TryConsume(')'))
            {
                Peek();
                int start = _pos;
                while (_pos < text.Length && char.IsAsciiDigit(text[_pos])) _pos++;
                if (start == _pos)
                    throw new FormatException($"expected a non-negative integer in the shape at position {start} but found {Describe()}");
                if (!int.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out int d))
                    throw new FormatException($"shape dimension {text[start.._pos]} is too large");
                dims.Add(d);
                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }
            return dims.ToArray();
        }

        private string Describe() => _pos < text.Length ? $"'{text[_pos]}'" : "the end of the header";

        private void SkipSpace()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }
    }
}
