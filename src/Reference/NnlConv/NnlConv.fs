/// Grinberg, Hopfield & Krotov, "Local Unsupervised Learning for Image Analysis" (2019)
/// (../shared/papers/nnl-conv-grinberg-hopfield-krotov.md), section 2: the NNL-CONV layer.
///
/// THE REFERENCE: float64, plain loops. An image is float[C*H*W] (channel-major); a patch is
/// float[C*W*W] (channel-major); filters are float[K, C*W*W]. Learning the filters is eq. 1-2, which is
/// Krotov & Hopfield's fast rule with p = 2 on patches: Krotov.fastStep.
module Hebb.Reference.NnlConv

open System

/// The layer's geometry (Hebb.Contracts.NnlConvOptions, read once): zero padding Pad before (top, left) and PadAfter
/// after (bottom, right); TensorFlow's "same" at an even size and stride 2 pads 0 before and 1 after.
type Geometry =
    { H: int; W: int; C: int; Window: int; Stride: int; Pad: int; PadAfter: int; PoolWindow: int; PoolStride: int }
    member g.OutH = (g.H + g.Pad + g.PadAfter - g.Window) / g.Stride + 1
    member g.OutW = (g.W + g.Pad + g.PadAfter - g.Window) / g.Stride + 1
    member g.PooledH = (g.OutH - g.PoolWindow) / g.PoolStride + 1
    member g.PooledW = (g.OutW - g.PoolWindow) / g.PoolStride + 1

/// Section 2: the W x W x C patch whose top-left corner is at output position (oy, ox); pixels outside
/// the image (padding) are 0.
let patch (g: Geometry) (img: float[]) (oy: int) (ox: int) : float[] =
    Array.init (g.C * g.Window * g.Window) (fun i ->
        let c, r = i / (g.Window * g.Window), i % (g.Window * g.Window)
        let y = oy * g.Stride - g.Pad + r / g.Window
        let x = ox * g.Stride - g.Pad + r % g.Window
        if y < 0 || x < 0 || y >= g.H || x >= g.W then 0.0 else img.[c * g.H * g.W + y * g.W + x])

/// Every patch of an image, positions row by row.
let patches (g: Geometry) (img: float[]) : float[][] =
    [| for oy in 0 .. g.OutH - 1 do
         for ox in 0 .. g.OutW - 1 do
             yield patch g img oy ox |]

/// Section 2: each patch normalized to a unit vector (a zero patch stays zero: it has no direction).
let unitPatch (v: float[]) : float[] =
    let norm = sqrt (Array.sumBy (fun x -> x * x) v)
    if norm = 0.0 then Array.zeroCreate v.Length else v |> Array.map (fun x -> x / norm)

/// A patch minus its own mean (an option, not in the paper: filters learned from centred patches need it).
let centerPatch (v: float[]) : float[] =
    let mean = Array.average v
    v |> Array.map (fun x -> x - mean)

/// Eq. 3: f(x) = ReLU(x)^n.
let rectifiedPower (n: float) (x: float) : float = if x > 0.0 then Math.Pow(x, n) else 0.0

/// Section 2: the layer before pooling, float[K, OutH, OutW]: f(sum_i M_mu,i v_i) with v the patch (centred
/// first if asked), unit-normalized for NNL-CONV (then the sum is a cosine in [-1, 1]); CONV is normalize = false, n = 1.
let convolve (g: Geometry) (center: bool) (normalize: bool) (n: float) (m: float[,]) (img: float[]) : float[,,] =
    let k = Array2D.length1 m
    let out = Array3D.zeroCreate k g.OutH g.OutW
    for oy in 0 .. g.OutH - 1 do
        for ox in 0 .. g.OutW - 1 do
            let v = patch g img oy ox
            let v = if center then centerPatch v else v
            let v = if normalize then unitPatch v else v
            for mu in 0 .. k - 1 do
                let mutable s = 0.0
                for i in 0 .. v.Length - 1 do s <- s + m.[mu, i] * v.[i]
                out.[mu, oy, ox] <- rectifiedPower n s
    out

/// Max pooling of each channel: windows of PoolWindow x PoolWindow every PoolStride, float[K, PooledH, PooledW].
let maxPool (g: Geometry) (a: float[,,]) : float[,,] =
    Array3D.init (Array3D.length1 a) g.PooledH g.PooledW (fun k py px ->
        let mutable best = Double.NegativeInfinity
        for dy in 0 .. g.PoolWindow - 1 do
            for dx in 0 .. g.PoolWindow - 1 do
                best <- max best a.[k, py * g.PoolStride + dy, px * g.PoolStride + dx]
        best)

/// The layer on one image: convolve, pool, flattened channel-major (k, py, px).
let forward (g: Geometry) (center: bool) (normalize: bool) (n: float) (m: float[,]) (img: float[]) : float[] =
    let pooled = maxPool g (convolve g center normalize n m img)
    Array.init (Array3D.length1 pooled * g.PooledH * g.PooledW) (fun i ->
        let k, r = i / (g.PooledH * g.PooledW), i % (g.PooledH * g.PooledW)
        pooled.[k, r / g.PooledW, r % g.PooledW])
