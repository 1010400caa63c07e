namespace Hebb.Reference

open System
open Hebb.Contracts

/// Krotov & Hopfield's rule behind IKrotovLayer: float64 state, the functions of Krotov.fs called as they are.
type ReferenceKrotovLayer(options: KrotovOptions, initialWeights: Matrix) =
    do options.Validate() |> ignore
    do Check.State(initialWeights, options.Units, options.Inputs, "initialWeights")
    let mutable w = Convert.toArray2D initialWeights
    let variant =
        match options.Variant with
        | KrotovVariant.Paper -> Krotov.Paper
        | _ -> Krotov.AuthorsCode options.Precision
    let checkBatch (batch: Matrix) =
        Check.Batch(batch, options.Inputs, "batch")

    /// The float64 state itself, for tests that hold the reference to the papers' laws.
    member _.Weights = Array2D.copy w

    interface IKrotovLayer with
        member _.Options = options
        member _.Step(batch, learningRate) =
            checkBatch batch
            Convert.learningRate learningRate
            w <- Krotov.fastStep variant options.P options.R options.RankK options.Delta learningRate w (Convert.toRows batch)
        member _.Currents(batch) =
            checkBatch batch
            Convert.toRows batch
            |> Array.map (fun v -> Array.init options.Units (fun mu -> Krotov.current options.P w.[mu, *] v))
            |> Convert.ofRows options.Units
        member _.Encode(batch, n) =
            checkBatch batch
            if not (n >= 1.0) || Double.IsInfinity n then
                raise (ArgumentOutOfRangeException("n", n, "n (the power of the rectified activation) must be a finite number >= 1"))
            Convert.toRows batch |> Array.map (TopLayer.encode n w) |> Convert.ofRows options.Units
        member _.ReadWeights() = Convert.ofArray2D w
        member _.Dispose() = ()

/// Krotov & Hopfield's rule on the reference engine.
[<Implements(typeof<ReferenceEngine>)>]
type ReferenceKrotovFactory(_engine: ReferenceEngine) =
    interface IKrotovFactory with
        member _.Create(options, initialWeights) = new ReferenceKrotovLayer(options, initialWeights) :> IKrotovLayer
