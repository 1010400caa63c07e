using Hebb.Reference;

namespace Hebb.Checks;

/// <summary>A CSNN check case's options, read back from case.json: one masked multi-head sconv layer and its step.</summary>
public sealed record CsnnSettings(int Height, int Width, int Channels, int Kernel, int Stride, int Padding, int GridRows, int GridCols, int Maps,
    string Masks, string MaskRule, double Gamma, double Sigma, bool AllBmus, bool MaskNeighbourhood, string Pairing, int Batch)
{
    public int PatchSize => Channels * Kernel * Kernel;
    public int MaskSize => Masks == "input" ? PatchSize : Channels;

    /// <summary>The reference's mask kind, with the pairing of eq. 9 the case names (or <paramref name="pairing"/>).</summary>
    public Csnn.MaskKind KindWith(string pairing) =>
        Masks == "input" ? Csnn.MaskKind.InputMask
        : pairing == "code" ? Csnn.MaskKind.NewBetweenLayersCodePairing(Kernel * Kernel) : Csnn.MaskKind.NewBetweenLayers(Kernel * Kernel);

    public Csnn.MaskKind Kind => KindWith(Pairing);

    public static CsnnSettings Of(CheckCase c)
    {
        var o = c.Options;
        return new((int)o["height"]!, (int)o["width"]!, (int)o["channels"]!, (int)o["kernel"]!, (int)o["stride"]!, (int)o["padding"]!,
            (int)o["grid_rows"]!, (int)o["grid_cols"]!, (int)o["maps"]!, (string)o["masks"]!, (string)o["rule"]!, (double)o["gamma"]!, (double)o["sigma"]!,
            (bool)o["all_bmus"]!, (bool)o["mask_nh"]!, (string)o["pairing"]!, (int)o["batch"]!);
    }
}
