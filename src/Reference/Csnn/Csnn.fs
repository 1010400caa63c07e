/// Stuhr & Brauer, "CSNNs: Unsupervised, Backpropagation-free Convolutional Neural Networks for Representation
/// Learning" (../shared/papers/csnn-stuhr-brauer.md), section III: the masked, multi-head sconv layer, its competitive
/// rule and its masks' local rules. Where the paper is silent, ../shared/papers/authors-code-facts.md says what the
/// authors' code does; those choices are named below.
///
/// THE REFERENCE: float64, plain loops, one function per equation, never optimized.
/// Shapes: a patch p is float[C*K*K], channel-major (index c*K*K + dy*K + dx, as NnlConv.patch cuts it); a map (head)
/// has Rows x Cols neurons, neuron i at grid coordinates (i / Cols, i % Cols); its weights are float[neurons][C*K*K];
/// an input mask (eq. 7) is float[C*K*K], a mask between layers (eq. 9) is float[C]. A layer is several maps.
module Hebb.Reference.Csnn

open System

/// A map's SOM grid: Rows x Cols neurons.
type Grid =
    { Rows: int; Cols: int }
    member g.Neurons = g.Rows * g.Cols

/// Which mask a neuron has: over its whole input patch (eq. 7, the first layer), or over the previous layer's
/// channels, the same at every position of the kernel (eq. 9, between sconv layers).
type MaskKind =
    | InputMask
    | BetweenLayers of positions: int
    /// Eq. 9's mask as the authors' code applies it (authors-code-facts.md): the masked patch is channel-major but the
    /// weights it is dotted with were learned from position-major patches, so patch element j (channel j / (K*K),
    /// position j % (K*K)) meets the weight of position j / C, channel j % C. Learning is as in BetweenLayers.
    | BetweenLayersCodePairing of positions: int

/// The mask's local rule: eq. 12 (the input modified by all masks of the map, through Hebb's eq. 10) or eq. 13 (by
/// the masks before it in the grid, through Oja's eq. 11), each with its gamma.
type MaskRule =
    | AllMasks of gamma: float
    | EarlierMasks of gamma: float

/// One map's state: its neurons' weights and masks.
type Map = { W: float[][]; M: float[][] }

/// The mask element that multiplies element j of a patch: eq. 7's own element, or eq. 9's channel j / (K*K) (the
/// paper's pairing: the channel's coefficient at every position of the kernel).
let maskAt (kind: MaskKind) (m: float[]) (j: int) : float =
    match kind with
    | InputMask -> m.[j]
    | BetweenLayers positions
    | BetweenLayersCodePairing positions -> m.[j / positions]

/// The weight that meets element j of a (masked) patch in the score: its own, except with the authors' code's pairing
/// of eq. 9, where it is the weight of position j / C, channel j % C (stored channel-major at (j % C) * K*K + j / C).
let weightAt (kind: MaskKind) (w: float[]) (j: int) : float =
    match kind with
    | BetweenLayersCodePairing positions ->
        let channels = w.Length / positions
        w.[(j % channels) * positions + j / channels]
    | _ -> w.[j]

/// Eq. 7 (input mask) and eq. 9 (mask between layers): the masked patch y^ = p o m.
let maskedPatch (kind: MaskKind) (p: float[]) (m: float[]) : float[] =
    Array.init p.Length (fun j -> p.[j] * maskAt kind m j)

/// Eq. 8: the score y = y^ . w of a neuron for a patch (eq. 1 where the mask is all ones).
let score (kind: MaskKind) (p: float[]) (m: float[]) (w: float[]) : float =
    let y = maskedPatch kind p m
    let mutable s = 0.0
    for j in 0 .. p.Length - 1 do
        s <- s + y.[j] * weightAt kind w j
    s

/// The scores of every neuron of a map for a patch.
let scores (kind: MaskKind) (map: Map) (p: float[]) : float[] =
    Array.init map.W.Length (fun i -> score kind p map.M.[i] map.W.[i])

/// Eq. 2: the best matching unit, the argmax of the scores (ties: the lowest index).
let bmu (s: float[]) : int =
    let mutable best = 0
    for i in 1 .. s.Length - 1 do
        if s.[i] > s.[best] then best <- i
    best

/// Eq. 3: the Gaussian neighbourhood h = exp(-d^2 / (2 sigma^2)) of neuron i to the BMU c, with d the Euclidean
/// distance of their grid coordinates.
let neighbourhood (grid: Grid) (sigma: float) (c: int) (i: int) : float =
    let dr = float (c / grid.Cols - i / grid.Cols)
    let dc = float (c % grid.Cols - i % grid.Cols)
    exp (-(dr * dr + dc * dc) / (2.0 * sigma * sigma))

/// Section III-E: which maps a patch updates. By default only the map whose BMU scores highest (ties: the lowest
/// map); with allBmus every map (the paper's D-BMU row). Returns each map's BMU, or -1 for a map not updated.
let winners (allBmus: bool) (kind: MaskKind) (maps: Map[]) (p: float[]) : int[] =
    let bmus = maps |> Array.map (fun map -> bmu (scores kind map p))
    if allBmus then bmus
    else
        let best = maps |> Array.mapi (fun h map -> score kind p map.M.[bmus.[h]] map.W.[bmus.[h]])
        let top = bmu best
        bmus |> Array.mapi (fun h c -> if h = top then c else -1)

/// Eq. 4: one patch's weight change for neuron i, a h p (the unmasked patch).
let patchDelta (a: float) (h: float) (p: float[]) : float[] = p |> Array.map (fun x -> a * h * x)

/// Eq. 5: w + dw scaled to unit length (a zero vector stays zero).
let normalize (v: float[]) : float[] =
    let norm = sqrt (Array.sumBy (fun x -> x * x) v)
    if norm = 0.0 then Array.copy v else v |> Array.map (fun x -> x / norm)

/// Eq. 6, over a batch: dw_i = a/N sum over the N patches of h_i p, where a patch counts in N whether or not its map
/// won (the authors' code); h is 0 for a neuron of a map the patch does not update.
let weightDeltas (grid: Grid) (sigma: float) (a: float) (patches: float[][]) (bmus: int[][]) (h: int) : float[][] =
    let n = float patches.Length
    Array.init grid.Neurons (fun i ->
        let d = Array.zeroCreate patches.[0].Length
        for q in 0 .. patches.Length - 1 do
            let c = bmus.[q].[h]
            if c >= 0 then
                let hi = neighbourhood grid sigma c i
                let dp = patchDelta a hi patches.[q]
                for j in 0 .. d.Length - 1 do
                    d.[j] <- d.[j] + dp.[j] / n
        d)

/// Eq. 10: Hebb's rule in element-wise form, y^ o p (p the rule's input, y^ its output).
let hebb (p: float[]) (y: float[]) : float[] = Array.map2 (*) y p

/// Eq. 11: Oja's rule in element-wise form, y^ o (p - y^ o m).
let oja (p: float[]) (y: float[]) (m: float[]) : float[] = Array.init p.Length (fun j -> y.[j] * (p.[j] - y.[j] * m.[j]))

/// Eq. 12 and 13 for one neuron i of a map and one input vector p (a patch for input masks; one position's
/// channels for masks between layers, with the masks' elements as given): the input modified by gamma times the sum
/// of y^_k o m_k over all the map's masks k (eq. 12, then Hebb) or over those before i in the grid (eq. 13, then Oja).
let maskDelta (rule: MaskRule) (p: float[]) (masks: float[][]) (i: int) : float[] =
    let y k = Array.map2 (*) p masks.[k]
    let modified gamma ks =
        let p' = Array.copy p
        for k in ks do
            let yk = y k
            for j in 0 .. p.Length - 1 do
                p'.[j] <- p'.[j] - gamma * yk.[j] * masks.[k].[j]
        p'
    match rule with
    | AllMasks gamma -> hebb (modified gamma [ 0 .. masks.Length - 1 ]) (y i)
    | EarlierMasks gamma -> oja (modified gamma [ 0 .. i - 1 ]) (y i) masks.[i]

/// The vectors a mask learns from in one patch: the patch itself for an input mask (eq. 14); for a mask between
/// layers each position's channel vector (eq. 15), K*K of them.
let maskInputs (kind: MaskKind) (p: float[]) : float[][] =
    match kind with
    | InputMask -> [| p |]
    | BetweenLayers positions
    | BetweenLayersCodePairing positions ->
        let channels = p.Length / positions
        Array.init positions (fun pos -> Array.init channels (fun c -> p.[c * positions + pos]))

/// Eq. 14 (input masks) and eq. 15 (masks between layers), over a batch: dm_i = a/(N P) sum over the N patches and
/// their P mask inputs (1, or the K*K positions) of g_i times eq. 12 / 13, where g_i is 1 for the patch's BMU of this
/// map and 0 for every other neuron (only the BMU's mask moves), or h_i with the NH option (neighbourhood).
let maskDeltas (grid: Grid) (sigma: float) (kind: MaskKind) (rule: MaskRule) (nh: bool) (a: float)
               (patches: float[][]) (bmus: int[][]) (h: int) (masks: float[][]) : float[][] =
    let inputs = patches |> Array.map (maskInputs kind)
    let count = float (patches.Length * inputs.[0].Length)
    Array.init grid.Neurons (fun i ->
        let d = Array.zeroCreate masks.[i].Length
        for q in 0 .. patches.Length - 1 do
            let c = bmus.[q].[h]
            let g = if c < 0 then 0.0 elif nh then neighbourhood grid sigma c i elif c = i then 1.0 else 0.0
            if g <> 0.0 then
                for v in inputs.[q] do
                    let dm = maskDelta rule v masks i
                    for j in 0 .. d.Length - 1 do
                        d.[j] <- d.[j] + a * g * dm.[j] / count
        d)

/// The options of one learning step of a masked multi-head sconv layer.
type StepOptions =
    { Grid: Grid; Sigma: float; Kind: MaskKind; Rule: MaskRule; AllBmus: bool; MaskNeighbourhood: bool }

/// One learning step on a batch of patches (every patch of every image of the batch): each patch's BMUs and winning
/// map from the masked scores (eq. 2, 8, section III-E); the weights move by eq. 6 toward the unmasked patches and
/// are normalized by eq. 5; the masks move by eq. 14 / 15 (at the mask rate) and are not normalized. Both updates
/// are computed from the state before the step.
let step (o: StepOptions) (somRate: float) (maskRate: float) (maps: Map[]) (patches: float[][]) : Map[] =
    let bmus = patches |> Array.map (winners o.AllBmus o.Kind maps)
    maps |> Array.mapi (fun h map ->
        let dw = weightDeltas o.Grid o.Sigma somRate patches bmus h
        let dm = maskDeltas o.Grid o.Sigma o.Kind o.Rule o.MaskNeighbourhood maskRate patches bmus h map.M
        { W = Array.map2 (fun w d -> normalize (Array.map2 (+) w d)) map.W dw
          M = Array.map2 (Array.map2 (+)) map.M dm })

/// The layer's output for one patch: the score of every neuron of every map, maps one after another (the heads'
/// outputs concatenated in the feature dimension), with no nonlinearity.
let output (kind: MaskKind) (maps: Map[]) (p: float[]) : float[] =
    maps |> Array.collect (fun map -> scores kind map p)

/// Section III-F: batch norm without trainable parameters, channel by channel: x becomes (x - mean) / sqrt(var + eps).
let batchNorm (mean: float) (variance: float) (eps: float) (x: float) : float = (x - mean) / sqrt (variance + eps)

/// The statistics batch norm uses (Ioffe & Szegedy): per channel, the mean and the population variance of the values
/// over every image and position. outputs: one array per image, channel-major (channel c at c*positions + pos).
let channelStatistics (channels: int) (positions: int) (outputs: float[][]) : float[] * float[] =
    let count = float (outputs.Length * positions)
    let values c = outputs |> Seq.collect (fun (o: float[]) -> o.[c * positions .. (c + 1) * positions - 1])
    let mean = Array.init channels (fun c -> Seq.sum (values c) / count)
    let variance = Array.init channels (fun c -> (values c |> Seq.sumBy (fun x -> (x - mean.[c]) * (x - mean.[c]))) / count)
    mean, variance

/// Section III-F: max pooling of one channel's height x width plane over s x s windows with stride s and padding
/// "same" (TensorFlow's): ceil(height / s) x ceil(width / s) outputs, the padding's total (out*s - n) split with the
/// smaller half before; padded cells never win.
let maxPoolSame (s: int) (height: int) (width: int) (plane: float[]) : float[] =
    let outH, outW = (height + s - 1) / s, (width + s - 1) / s
    let top, left = (outH * s - height) / 2, (outW * s - width) / 2
    Array.init (outH * outW) (fun o ->
        let oy, ox = o / outW, o % outW
        let mutable best = Double.NegativeInfinity
        for dy in 0 .. s - 1 do
            for dx in 0 .. s - 1 do
                let y, x = oy * s + dy - top, ox * s + dx - left
                if y >= 0 && y < height && x >= 0 && x < width then best <- max best plane.[y * width + x]
        best)
