using System.Globalization;

namespace Hebb.Data;

/// <summary>The header of a .npy file as the format defines it (NumPy's format.py, version 1.0-3.0): a Python dict
/// literal with exactly the keys 'descr' (a dtype string), 'fortran_order' (True or False) and 'shape' (a tuple of
/// non-negative integers), parsed token by token rather than searched for substrings.</summary>
public sealed record NpyHeader(string Descr, bool FortranOrder, long[] Shape)
{
    /// <summary>Parses <paramref name="text"/>; a <see cref="DataException"/> naming <paramref name="path"/> and what is
    /// wrong otherwise.</summary>
    public static NpyHeader Parse(string text, string path)
    {
        int i = 0;
        DataException Bad(string what) => new($"{path}: the .npy header is not a valid header ({what}): {text.Trim()}");
        void Skip() { while (i < text.Length && char.IsWhiteSpace(text[i])) i++; }
        void Expect(char c) { Skip(); if (i >= text.Length || text[i] != c) throw Bad($"'{c}' expected at character {i}"); i++; }
        string Quoted()
        {
            Skip();
            if (i >= text.Length || (text[i] != '\'' && text[i] != '"')) throw Bad($"a quoted string expected at character {i}");
            char q = text[i++];
            int start = i;
            while (i < text.Length && text[i] != q) i++;
            if (i >= text.Length) throw Bad("an unterminated string");
            return text[start..i++];
        }
        string? descr = null; bool? fortran = null; long[]? shape = null;
        Expect('{');
        while (true)
        {
            Skip();
            if (i < text.Length && text[i] == '}') { i++; break; }
            string key = Quoted();
            Expect(':');
            Skip();
            switch (key)
            {
                case "descr" when descr is null: descr = Quoted(); break;
                case "fortran_order" when fortran is null:
                    if (string.CompareOrdinal(text, i, "True", 0, 4) == 0) { fortran = true; i += 4; }
                    else if (string.CompareOrdinal(text, i, "False", 0, 5) == 0) { fortran = false; i += 5; }
                    else throw Bad("fortran_order must be True or False");
                    break;
                case "shape" when shape is null:
                    Expect('(');
                    var dims = new List<long>();
                    while (true)
                    {
                        Skip();
                        if (i < text.Length && text[i] == ')') { i++; break; }
                        int start = i;
                        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                        if (!long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                            throw Bad($"a shape's extent must be a non-negative integer below 2^63 (character {start})");
                        dims.Add(d);
                        Skip();
                        if (i < text.Length && text[i] == ',') i++;
                        else if (i >= text.Length || text[i] != ')') throw Bad($"',' or ')' expected in the shape at character {i}");
                    }
                    shape = [.. dims];
                    break;
                case "descr" or "fortran_order" or "shape": throw Bad($"the key '{key}' appears twice");
                default: throw Bad($"an unknown key '{key}'");
            }
            Skip();
            if (i < text.Length && text[i] == ',') { i++; continue; }
            Expect('}');
            break;
        }
        Skip();
        if (i != text.Length) throw Bad($"text after the dict at character {i}");
        if (descr is null || fortran is null || shape is null) throw Bad("it needs the keys 'descr', 'fortran_order' and 'shape'");
        return new(descr, fortran.Value, shape);
    }
}
