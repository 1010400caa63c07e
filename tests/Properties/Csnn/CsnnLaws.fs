/// The invariants of Stuhr & Brauer's CSNN layer (section III: eq. 1-15) as named laws over the reference
/// (Hebb.Reference.Csnn), including the mask bounds derived in docs/EQUATIONS.md.
module Hebb.Tests.Properties.CsnnLaws

open System
open FsCheck.Xunit
open FsCheck
open FsCheck.FSharp
open Hebb.Reference
open Hebb.Reference.Csnn
open Hebb.Tests.Properties.Generators

/// A small masked multi-head sconv layer and a batch of patches: a grid of up to 3 x 3 (the mask laws use up to
/// 2 x 2), 1 to 3 maps, patches of C x K x K (C 1..3, K 1..3) with entries in [-1, 1] (normalized input), weights
/// and masks drawn U(-1, 1) as the paper initializes them, either mask kind.
let layerCase (maxSide: int) = gen {
    let! gridRows = Gen.choose (1, maxSide)
    let! gridCols = Gen.choose (1, maxSide)
    let! heads = Gen.choose (1, 3)
    let! c = Gen.choose (1, 3)
    let! k = Gen.choose (1, 3)
    let! between = Gen.elements [ false; true ]
    let grid = { Rows = gridRows; Cols = gridCols }
    let patchLength = c * k * k
    let kind = if between then BetweenLayers(k * k) else InputMask
    let maskLength = if between then c else patchLength
    let uniform = floatIn -1.0 1.0
    let! maps =
        Gen.arrayOfLength heads (gen {
            let! w = rows grid.Neurons (vectorOf patchLength uniform)
            let! m = rows grid.Neurons (vectorOf maskLength uniform)
            return { W = w; M = m } })
    let! count = Gen.choose (1, 6)
    let! patches = rows count (vectorOf patchLength uniform)
    return grid, kind, maps, patches }

let stepOptions grid kind rule allBmus =
    { Grid = grid; Sigma = 1.0; Kind = kind; Rule = rule; AllBmus = allBmus; MaskNeighbourhood = false }

let norm (v: float[]) = sqrt (Array.sumBy (fun x -> x * x) v)

/// Eq. 5: after every step every weight vector of every map has unit length (the maps a patch did not update are
/// normalized too, as the authors' code does).
let weightsHaveUnitNormAfterEveryUpdate =
    let gen = gen {
        let! grid, kind, maps, patches = layerCase 3
        let! allBmus = Gen.elements [ false; true ]
        let! gamma = floatIn 0.0 1.0
        let! rule = Gen.elements [ AllMasks gamma; EarlierMasks gamma ]
        return grid, kind, maps, patches, allBmus, rule }
    Prop.forAll (Arb.fromGen gen) (fun (grid, kind, maps, patches, allBmus, rule) ->
        let next = step (stepOptions grid kind rule allBmus) 0.1 0.005 maps patches
        let norms = next |> Array.collect (fun map -> map.W |> Array.map norm)
        norms |> Array.forall (fun n -> abs (n - 1.0) <= 1e-12)
        |> Prop.label (sprintf "norms %A" norms)
        |> Prop.classify allBmus "every map's BMU (D-BMU)")

/// Eq. 3: h is 1 at the BMU, in (0, 1] everywhere, and falls strictly with the grid distance from the BMU.
let neighbourhoodIsOneAtTheBmuAndFallsWithDistance =
    let gen = gen {
        let! rows = Gen.choose (1, 6)
        let! cols = Gen.choose (1, 6)
        let! sigma = floatIn 0.5 3.0
        let! c = Gen.choose (0, rows * cols - 1)
        return { Rows = rows; Cols = cols }, sigma, c }
    Prop.forAll (Arb.fromGen gen) (fun (grid, sigma, c) ->
        let h = Array.init grid.Neurons (neighbourhood grid sigma c)
        let d2 i = float ((c / grid.Cols - i / grid.Cols) * (c / grid.Cols - i / grid.Cols) + (c % grid.Cols - i % grid.Cols) * (c % grid.Cols - i % grid.Cols))
        let falls =
            Seq.forall id [ for i in 0 .. grid.Neurons - 1 do
                              for j in 0 .. grid.Neurons - 1 do
                                  if d2 i < d2 j then yield h.[i] > h.[j]
                                  elif d2 i = d2 j then yield h.[i] = h.[j] ]
        (h.[c] = 1.0 && Array.forall (fun x -> x > 0.0 && x <= 1.0) h && falls)
        |> Prop.label (sprintf "h %A" h))

/// Section III-E: with one BMU per patch (the default), a patch moves only the map whose BMU scores highest: the
/// other maps' masks stay as they were and their weights only keep their direction (eq. 5 normalizes them).
let onlyTheWinningMapMoves =
    let gen = gen {
        let! grid, kind, maps, patches = layerCase 3
        return grid, kind, maps, patches.[0] }
    Prop.forAll (Arb.fromGen gen) (fun (grid, kind, maps, p) ->
        let won = winners false kind maps p
        let next = step (stepOptions grid kind (AllMasks 1.0) false) 0.1 0.005 maps [| p |]
        let still =
            Seq.forall id [ for h in 0 .. maps.Length - 1 do
                              if won.[h] < 0 then
                                  yield next.[h].M = maps.[h].M
                                  yield Array.forall2 (fun a b -> Array.forall2 (fun x y -> abs (x - y) <= 1e-12) a (normalize b)) next.[h].W maps.[h].W ]
        ((won |> Array.filter (fun c -> c >= 0) |> Array.length) = 1 && still)
        |> Prop.label (sprintf "winners %A" won)
        |> Prop.classify (maps.Length = 1) "one map")

/// Eq. 7-9: the masked score is the patch dotted with the Hadamard product of mask and weights, for input masks and,
/// with the mask's channel repeated over the kernel's positions, for masks between layers.
let maskedScoreIsThePatchDottedWithMaskTimesWeights =
    let gen = gen {
        let! _, kind, maps, patches = layerCase 2
        return kind, maps.[0].M.[0], maps.[0].W.[0], patches.[0] }
    Prop.forAll (Arb.fromGen gen) (fun (kind, m, w, p) ->
        let expanded = Array.init p.Length (maskAt kind m)
        let mw = Array.map2 (*) expanded w
        let direct = Array.fold2 (fun s a b -> s + a * b) 0.0 p mw
        abs (score kind p m w - direct) <= 1e-12 * (1.0 + abs direct)
        |> Prop.label (sprintf "%g vs %g" (score kind p m w) direct)
        |> Prop.classify (kind <> InputMask) "masks between layers")

/// Eq. 2: the BMU is the first of the equal best scores.
let bmuTiesGoToTheLowestIndex =
    let gen = gen {
        let! n = Gen.choose (2, 12)
        let! s = vectorOf n (Gen.elements [ -1.0; 0.0; 0.5; 1.0 ])
        return s }
    Prop.forAll (Arb.fromGen gen) (fun s ->
        let best = Array.max s
        bmu s = Array.findIndex ((=) best) s |> Prop.classify (s |> Array.filter ((=) best) |> Array.length > 1) "tied")

/// The sum over a map's masks of their squared coefficient j: S_j = sum_i m_ij^2.
let squares (masks: float[][]) j = masks |> Array.sumBy (fun m -> m.[j] * m.[j])

/// The mask bound of eq. 12 with gamma = 1 (through Hebb, eq. 10). With y_k = p o m_k the modified input is
/// p_j (1 - S_j), so the update of coefficient j of mask i is dm_ij = e_ij m_ij (1 - S_j), where e_ij >= 0 is the
/// mask rate times the mean of p_j^2 over the patches (and positions) whose BMU is i. Hence a coefficient never
/// changes sign, and S_j - 1 is multiplied by 1 - sum_i m_ij^2 e_ij (2 + e_ij (1 - S_j)): S_j moves toward 1 and
/// never past it while e S_j (2 + e |1 - S_j|) <= 2 with e the largest e_ij, which a rate times the largest p_j^2 of
/// at most 0.1 (the paper's 0.005 on normalized inputs) and masks drawn in [-1, 1] over a grid of up to 4 neurons
/// keep. Checked on the reference's step: signs kept and |S'_j - 1| <= |S_j - 1| for every coefficient of every map.
let masksStayBounded =
    let gen = gen {
        let! grid, kind, maps, patches = layerCase 2
        let! rate = floatIn 0.001 0.1
        let! allBmus = Gen.elements [ false; true ]
        return grid, kind, maps, patches, rate, allBmus }
    Prop.forAll (Arb.fromGen gen) (fun (grid, kind, maps, patches, rate, allBmus) ->
        let next = step (stepOptions grid kind (AllMasks 1.0) allBmus) 0.1 rate maps patches
        let maxP2 = patches |> Array.collect id |> Array.map (fun x -> x * x) |> Array.max
        let checks =
            [ for h in 0 .. maps.Length - 1 do
                let before, after = maps.[h].M, next.[h].M
                for j in 0 .. before.[0].Length - 1 do
                    let s, s' = squares before j, squares after j
                    let e = rate * maxP2
                    let inRange = e * s * (2.0 + e * abs (1.0 - s)) <= 2.0
                    let signs = Array.forall2 (fun (a: float[]) (b: float[]) -> a.[j] = 0.0 && b.[j] = 0.0 || sign a.[j] = sign b.[j]) before after
                    yield inRange, signs && abs (s' - 1.0) <= abs (s - 1.0) + 1e-12, (s, s') ]
        let bad = checks |> List.filter (fun (inRange, ok, _) -> inRange && not ok)
        (List.isEmpty bad && checks |> List.forall (fun (inRange, _, _) -> inRange))
        |> Prop.label (sprintf "coefficients outside the bound (S_j before, after): %A" (bad |> List.map (fun (_, _, s) -> s)))
        |> Prop.classify (kind <> InputMask) "masks between layers (eq. 15)"
        |> Prop.classify (checks |> List.exists (fun (_, _, (s, _)) -> s > 1.0)) "some S_j > 1")

/// The bound of eq. 13 (through Oja, eq. 11): with T_ij = sum over k < i of m_kj^2 and c_ij = 1 - gamma T_ij the update
/// is dm_ij = e_ij m_ij (c_ij - m_ij^2): the coefficient moves toward +-sqrt(c_ij) (or 0 where c_ij <= 0), never
/// changes sign while e_ij (m_ij^2 - c_ij) < 1, and, while e_ij c_ij <= 1/2, never grows past max(|m_ij|, 1).
/// Checked on the reference's step for rates times p^2 of at most 0.1 and masks drawn in [-1, 1].
let earlierMasksRuleKeepsEachCoefficientWithinOne =
    let gen = gen {
        let! grid, kind, maps, patches = layerCase 2
        let! rate = floatIn 0.001 0.1
        let! gamma = floatIn 0.0 1.0
        return grid, kind, maps, patches, rate, gamma }
    Prop.forAll (Arb.fromGen gen) (fun (grid, kind, maps, patches, rate, gamma) ->
        let next = step (stepOptions grid kind (EarlierMasks gamma) false) 0.1 rate maps patches
        let ok =
            Seq.forall id [ for h in 0 .. maps.Length - 1 do
                              for i in 0 .. maps.[h].M.Length - 1 do
                                  for j in 0 .. maps.[h].M.[i].Length - 1 do
                                      let a, b = maps.[h].M.[i].[j], next.[h].M.[i].[j]
                                      yield (a = 0.0 && b = 0.0 || sign a = sign b) && abs b <= max (abs a) 1.0 + 1e-12 ]
        ok |> Prop.label "a coefficient changed sign or grew past max(|m|, 1)" |> Prop.classify (gamma > 0.5) "gamma > 1/2")

/// Eq. 10-11: Hebb's element-wise rule is y^ o p; Oja's subtracts y^ o y^ o m, and both vanish where the output does.
let hebbAndOjaAreElementWise =
    let gen = gen {
        let! n = Gen.choose (1, 12)
        let! p = vectorOf n (floatIn -1.0 1.0)
        let! m = vectorOf n (floatIn -1.0 1.0)
        return p, m }
    Prop.forAll (Arb.fromGen gen) (fun (p, m) ->
        let y = Array.map2 (*) p m
        let h, o = hebb p y, oja p y m
        (Array.forall2 (fun a b -> a = b) h (Array.map2 (fun yi pi -> yi * pi) y p)
         && Array.forall2 (fun (a: float) (b: float) -> abs (a - b) <= 1e-15) o (Array.init p.Length (fun j -> y.[j] * p.[j] - y.[j] * y.[j] * m.[j]))
         && Array.forall2 (fun (yi: float) (oi: float) -> yi <> 0.0 || oi = 0.0) y o)
        |> Prop.label (sprintf "hebb %A oja %A" h o))

/// Section III-F, max pooling "same": ceil(n / s) outputs per side; every input cell lies in exactly one window; each
/// output is the largest cell of its window and at least every cell of it.
let maxPoolingCoversEveryCellOnce =
    let gen = gen {
        let! s = Gen.choose (1, 4)
        let! h = Gen.choose (1, 9)
        let! w = Gen.choose (1, 9)
        let! plane = vectorOf (h * w) (floatIn -5.0 5.0)
        return s, h, w, plane }
    Prop.forAll (Arb.fromGen gen) (fun (s, h, w, plane) ->
        let pooled = maxPoolSame s h w plane
        let outH, outW = (h + s - 1) / s, (w + s - 1) / s
        let top, left = (outH * s - h) / 2, (outW * s - w) / 2
        let window y x = ((y + top) / s) * outW + (x + left) / s
        let cells = [ for y in 0 .. h - 1 do for x in 0 .. w - 1 -> window y x, plane.[y * w + x] ]
        let byWindow = cells |> List.groupBy fst
        (pooled.Length = outH * outW
         && byWindow.Length = pooled.Length
         && byWindow |> List.forall (fun (o, vs) -> pooled.[o] = (vs |> List.map snd |> List.max)))
        |> Prop.label (sprintf "s %d, %dx%d: %A" s h w pooled))

/// Section III-F, batch norm without trainable parameters: with the statistics of the very outputs it normalizes, each
/// channel has mean 0 and variance var / (var + eps) over images and positions.
let batchNormWithItsOwnStatisticsCentresAndScales =
    let gen = gen {
        let! channels = Gen.choose (1, 4)
        let! positions = Gen.choose (1, 6)
        let! images = Gen.choose (1, 4)
        let! outputs = rows images (vectorOf (channels * positions) (floatIn -3.0 7.0))
        return channels, positions, outputs }
    Prop.forAll (Arb.fromGen gen) (fun (channels, positions, outputs) ->
        let eps = 1e-3
        let mean, variance = channelStatistics channels positions outputs
        let normalized = outputs |> Array.map (Array.mapi (fun f x -> batchNorm mean.[f / positions] variance.[f / positions] eps x))
        let mean', variance' = channelStatistics channels positions normalized
        (Array.forall (fun m -> abs m <= 1e-9) mean'
         && Array.forall2 (fun v v' -> abs (v' - v / (v + eps)) <= 1e-9) variance variance')
        |> Prop.label (sprintf "means %A, variances %A after, %A before" mean' variance' variance))

[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``weight vectors have unit norm after every update (eq. 5)`` () = weightsHaveUnitNormAfterEveryUpdate
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``h is 1 at the BMU and falls with grid distance (eq. 3)`` () = neighbourhoodIsOneAtTheBmuAndFallsWithDistance
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``only the winning map moves (section III-E)`` () = onlyTheWinningMapMoves
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``the masked score is the patch dotted with mask times weights (eq. 7-9)`` () = maskedScoreIsThePatchDottedWithMaskTimesWeights
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``BMU ties go to the lowest index (eq. 2)`` () = bmuTiesGoToTheLowestIndex
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``masks stay bounded under eq. 12 with gamma 1`` () = masksStayBounded
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``eq. 13 keeps every mask coefficient within max(|m|, 1)`` () = earlierMasksRuleKeepsEachCoefficientWithinOne
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``Hebb and Oja in element-wise form (eq. 10-11)`` () = hebbAndOjaAreElementWise
[<Property(MaxTest = 300, Replay = Replay, QuietOnSuccess = true)>]
let ``max pooling "same" covers every cell once and keeps each window's largest (section III-F)`` () = maxPoolingCoversEveryCellOnce
[<Property(MaxTest = 200, Replay = Replay, QuietOnSuccess = true)>]
let ``batch norm with its own statistics gives mean 0 and variance var over var plus eps (section III-F)`` () = batchNormWithItsOwnStatisticsCentresAndScales
