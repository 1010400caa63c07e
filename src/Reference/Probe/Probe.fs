/// The probes that judge a representation (Stuhr & Brauer, CSNN, section IV-B/C): a linear classifier
/// (one fully connected layer, softmax, cross-entropy) and an MLP (512-256-classes) with batch norm,
/// ELU and dropout (0.5, 0.3) between its layers, trained by Adam.
///
/// THE REFERENCE: float64, plain loops, one function per layer and direction.
/// Shapes: a batch x is float[B, D] (one sample a row); W is float[out, in]; vectors are float[n].
module Hebb.Reference.Probe

open System

let private rows (a: float[,]) = Array2D.length1 a
let private cols (a: float[,]) = Array2D.length2 a

/// Fully connected layer: y[b, o] = sum_i x[b, i] W[o, i] + bias[o].
let linear (x: float[,]) (w: float[,]) (bias: float[]) : float[,] =
    Array2D.init (rows x) (rows w) (fun b o ->
        let mutable s = bias.[o]
        for i in 0 .. cols x - 1 do s <- s + x.[b, i] * w.[o, i]
        s)

/// Its backward pass: dx = dy W, dW = dy^T x, dbias = sum_b dy.
let linearBackward (x: float[,]) (w: float[,]) (dy: float[,]) : float[,] * float[,] * float[] =
    let dx = Array2D.init (rows x) (cols x) (fun b i ->
        let mutable s = 0.0
        for o in 0 .. rows w - 1 do s <- s + dy.[b, o] * w.[o, i]
        s)
    let dw = Array2D.init (rows w) (cols w) (fun o i ->
        let mutable s = 0.0
        for b in 0 .. rows x - 1 do s <- s + dy.[b, o] * x.[b, i]
        s)
    let db = Array.init (rows w) (fun o ->
        let mutable s = 0.0
        for b in 0 .. rows x - 1 do s <- s + dy.[b, o]
        s)
    dx, dw, db

/// Batch statistics per feature: the mean and the biased variance over the batch.
let batchStats (x: float[,]) : float[] * float[] =
    let n = float (rows x)
    let mean = Array.init (cols x) (fun j -> (Seq.sum (seq { for b in 0 .. rows x - 1 -> x.[b, j] })) / n)
    let var = Array.init (cols x) (fun j -> (Seq.sum (seq { for b in 0 .. rows x - 1 -> (x.[b, j] - mean.[j]) ** 2.0 })) / n)
    mean, var

/// Batch normalization (Ioffe & Szegedy 2015), training mode: xhat = (x - mean) / sqrt(var + eps),
/// y = gamma xhat + beta, with the batch's own mean and biased variance per feature.
let batchNorm (eps: float) (x: float[,]) (gamma: float[]) (beta: float[]) : float[,] =
    let mean, var = batchStats x
    Array2D.init (rows x) (cols x) (fun b j -> gamma.[j] * (x.[b, j] - mean.[j]) / sqrt (var.[j] + eps) + beta.[j])

/// Batch normalization at inference: the running mean and variance instead of the batch's.
let batchNormInfer (eps: float) (runMean: float[]) (runVar: float[]) (x: float[,]) (gamma: float[]) (beta: float[]) : float[,] =
    Array2D.init (rows x) (cols x) (fun b j -> gamma.[j] * (x.[b, j] - runMean.[j]) / sqrt (runVar.[j] + eps) + beta.[j])

/// Its backward pass (training mode): with s = 1/sqrt(var + eps) and N the batch size,
/// dx = gamma s / N (N dy - sum_b dy - xhat sum_b (dy xhat)); dgamma = sum_b dy xhat; dbeta = sum_b dy.
let batchNormBackward (eps: float) (x: float[,]) (gamma: float[]) (dy: float[,]) : float[,] * float[] * float[] =
    let n = float (rows x)
    let mean, var = batchStats x
    let s = var |> Array.map (fun v -> 1.0 / sqrt (v + eps))
    let xhat = Array2D.init (rows x) (cols x) (fun b j -> (x.[b, j] - mean.[j]) * s.[j])
    let dbeta = Array.init (cols x) (fun j -> Seq.sum (seq { for b in 0 .. rows x - 1 -> dy.[b, j] }))
    let dgamma = Array.init (cols x) (fun j -> Seq.sum (seq { for b in 0 .. rows x - 1 -> dy.[b, j] * xhat.[b, j] }))
    let dx = Array2D.init (rows x) (cols x) (fun b j ->
        gamma.[j] * s.[j] / n * (n * dy.[b, j] - dbeta.[j] - xhat.[b, j] * dgamma.[j]))
    dx, dgamma, dbeta

/// Inverted dropout with a caller-supplied mask of 0s and 1s: y = x mask / (1 - rate).
/// The same function is its own backward pass (applied to dy).
let dropout (rate: float) (mask: float[,]) (x: float[,]) : float[,] =
    Array2D.init (rows x) (cols x) (fun b j -> x.[b, j] * mask.[b, j] / (1.0 - rate))

/// ELU (Clevert et al. 2016) with alpha = 1: x for x > 0, exp(x) - 1 otherwise.
let elu (x: float[,]) : float[,] =
    x |> Array2D.map (fun v -> if v > 0.0 then v else exp v - 1.0)

/// Its backward pass: dy for x > 0, dy exp(x) otherwise.
let eluBackward (x: float[,]) (dy: float[,]) : float[,] =
    Array2D.init (rows x) (cols x) (fun b j -> if x.[b, j] > 0.0 then dy.[b, j] else dy.[b, j] * exp x.[b, j])

/// Softmax cross-entropy, averaged over the batch: loss = -(1/B) sum_b log softmax(z_b)[label_b];
/// dz = (softmax(z) - onehot(label)) / B. The softmax is shifted by each row's maximum.
let softmaxCrossEntropy (z: float[,]) (labels: int[]) : float * float[,] =
    let bsz = rows z
    let dz = Array2D.zeroCreate bsz (cols z)
    let mutable loss = 0.0
    for b in 0 .. bsz - 1 do
        let m = Seq.max (seq { for c in 0 .. cols z - 1 -> z.[b, c] })
        let sumExp = Seq.sum (seq { for c in 0 .. cols z - 1 -> exp (z.[b, c] - m) })
        loss <- loss - (z.[b, labels.[b]] - m - log sumExp)
        for c in 0 .. cols z - 1 do
            let p = exp (z.[b, c] - m) / sumExp
            dz.[b, c] <- (p - (if c = labels.[b] then 1.0 else 0.0)) / float bsz
    loss / float bsz, dz

/// The parameters of a classifier: per layer W (out x in); the output layer's bias; per hidden layer
/// gamma, beta and the running mean and variance of its batch norm. Hidden layers have no bias: batch
/// norm's beta is their shift (a bias before batch norm has zero gradient).
type Parameters =
    { W: float[,][]; Bias: float[]; Gamma: float[][]; Beta: float[][]; RunMean: float[][]; RunVar: float[][] }

let private noBias (w: float[,]) = Array.zeroCreate (rows w)

/// The classifier's shape and hyperparameters.
type Config = { Dropout: float[]; Eps: float; Momentum: float; Beta1: float; Beta2: float; AdamEps: float }

/// What the forward pass keeps for the backward pass, per hidden layer: its input, the linear output z,
/// the batch norm output, and the output after ELU and dropout.
type private Trace = { Input: float[,]; Z: float[,]; Bn: float[,] }

/// Training-mode forward pass: for each hidden layer linear (no bias) -> batch norm -> ELU -> dropout(mask); then
/// the output layer. Returns the logits and the trace.
let private forwardTrain (cfg: Config) (p: Parameters) (masks: float[,][]) (x: float[,]) =
    let hidden = p.W.Length - 1
    let mutable a = x
    let traces = ResizeArray()
    for l in 0 .. hidden - 1 do
        let z = linear a p.W.[l] (noBias p.W.[l])
        let bn = batchNorm cfg.Eps z p.Gamma.[l] p.Beta.[l]
        traces.Add { Input = a; Z = z; Bn = bn }
        a <- dropout cfg.Dropout.[l] masks.[l] (elu bn)
    linear a p.W.[hidden] p.Bias, traces, a

/// Inference: batch norm with running statistics, no dropout. Returns the logits.
let logits (cfg: Config) (p: Parameters) (x: float[,]) : float[,] =
    let hidden = p.W.Length - 1
    let mutable a = x
    for l in 0 .. hidden - 1 do
        let z = linear a p.W.[l] (noBias p.W.[l])
        a <- elu (batchNormInfer cfg.Eps p.RunMean.[l] p.RunVar.[l] z p.Gamma.[l] p.Beta.[l])
    linear a p.W.[hidden] p.Bias

/// The loss of a batch (training mode) and the gradients of every parameter, as a Parameters value
/// (its RunMean / RunVar hold the batch statistics of each hidden layer).
let gradients (cfg: Config) (p: Parameters) (masks: float[,][]) (x: float[,]) (labels: int[]) : float * Parameters =
    let hidden = p.W.Length - 1
    let z, traces, last = forwardTrain cfg p masks x
    let loss, dz = softmaxCrossEntropy z labels
    let dW = Array.zeroCreate (hidden + 1)
    let dG = Array.zeroCreate hidden
    let dBeta = Array.zeroCreate hidden
    let da, dw, db = linearBackward last p.W.[hidden] dz
    dW.[hidden] <- dw
    let mutable da = da
    for l in hidden - 1 .. -1 .. 0 do
        let t = traces.[l]
        let de = dropout cfg.Dropout.[l] masks.[l] da
        let dbn = eluBackward t.Bn de
        let dzl, dg, dbeta = batchNormBackward cfg.Eps t.Z p.Gamma.[l] dbn
        let dx, dw, _ = linearBackward t.Input p.W.[l] dzl
        dW.[l] <- dw
        dG.[l] <- dg
        dBeta.[l] <- dbeta
        da <- dx
    let stats = traces |> Seq.map (fun t -> batchStats t.Z) |> Array.ofSeq
    loss, { W = dW; Bias = db; Gamma = dG; Beta = dBeta; RunMean = stats |> Array.map fst; RunVar = stats |> Array.map snd }

/// Adam state for every parameter of a classifier.
type AdamState = { M: Parameters; V: Parameters; T: int }

let private zerosLike (p: Parameters) =
    { W = p.W |> Array.map (fun w -> Array2D.zeroCreate (rows w) (cols w))
      Bias = Array.zeroCreate p.Bias.Length
      Gamma = p.Gamma |> Array.map (fun v -> Array.zeroCreate v.Length)
      Beta = p.Beta |> Array.map (fun v -> Array.zeroCreate v.Length)
      RunMean = [||]; RunVar = [||] }

let adamInit (p: Parameters) : AdamState = { M = zerosLike p; V = zerosLike p; T = 0 }

/// Adam on one flat parameter: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
/// theta -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps). Returns theta, m, v.
let private adamVec (cfg: Config) (lr: float) (t: int) (theta: float[]) (m: float[]) (v: float[]) (g: float[]) =
    let c1, c2 = 1.0 - cfg.Beta1 ** float t, 1.0 - cfg.Beta2 ** float t
    let m' = Array.map2 (fun mi gi -> cfg.Beta1 * mi + (1.0 - cfg.Beta1) * gi) m g
    let v' = Array.map2 (fun vi gi -> cfg.Beta2 * vi + (1.0 - cfg.Beta2) * gi * gi) v g
    Array.init theta.Length (fun j -> theta.[j] - lr * (m'.[j] / c1) / (sqrt (v'.[j] / c2) + cfg.AdamEps)), m', v'

let private flat (a: float[,]) = Array.init (rows a * cols a) (fun k -> a.[k / cols a, k % cols a])
let private unflat (r: int) (c: int) (a: float[]) = Array2D.init r c (fun i j -> a.[i * c + j])

/// One training step: gradients, one Adam step for every parameter, and the running statistics moved
/// toward the batch's: run = momentum run + (1 - momentum) batch.
/// Returns the loss before the step, the new parameters and Adam's state.
let step (cfg: Config) (lr: float) (state: AdamState) (p: Parameters) (masks: float[,][]) (x: float[,]) (labels: int[])
         : float * Parameters * AdamState =
    let loss, g = gradients cfg p masks x labels
    let t = state.T + 1
    let vecs (thetas: float[][]) (ms: float[][]) (vs: float[][]) (gs: float[][]) =
        Array.init thetas.Length (fun l -> adamVec cfg lr t thetas.[l] ms.[l] vs.[l] gs.[l])
    let mats =
        Array.init p.W.Length (fun l ->
            let r, c = rows p.W.[l], cols p.W.[l]
            let th, m, v = adamVec cfg lr t (flat p.W.[l]) (flat state.M.W.[l]) (flat state.V.W.[l]) (flat g.W.[l])
            unflat r c th, unflat r c m, unflat r c v)
    let bias = adamVec cfg lr t p.Bias state.M.Bias state.V.Bias g.Bias
    let gamma, beta = vecs p.Gamma state.M.Gamma state.V.Gamma g.Gamma, vecs p.Beta state.M.Beta state.V.Beta g.Beta
    let first (a, _, _) = a
    let second (_, b, _) = b
    let third (_, _, c) = c
    let move (run: float[][]) (batch: float[][]) =
        Array.init run.Length (fun l -> Array.map2 (fun r b -> cfg.Momentum * r + (1.0 - cfg.Momentum) * b) run.[l] batch.[l])
    let next =
        { W = Array.map first mats; Bias = first bias; Gamma = Array.map first gamma; Beta = Array.map first beta
          RunMean = move p.RunMean g.RunMean; RunVar = move p.RunVar g.RunVar }
    let m = { W = Array.map second mats; Bias = second bias; Gamma = Array.map second gamma; Beta = Array.map second beta; RunMean = [||]; RunVar = [||] }
    let v = { W = Array.map third mats; Bias = third bias; Gamma = Array.map third gamma; Beta = Array.map third beta; RunMean = [||]; RunVar = [||] }
    loss, next, { M = m; V = v; T = t }
