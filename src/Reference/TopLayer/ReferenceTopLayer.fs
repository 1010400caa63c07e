namespace Hebb.Reference

open System
open Hebb.Contracts

/// Krotov & Hopfield's top layer behind ITopLayer: the functions of TopLayer.fs called as they are.
type ReferenceTopLayer(options: TopLayerOptions, initialWeights: Matrix) =
    do options.Validate() |> ignore
    do Check.State(initialWeights, options.Classes, options.Hidden, "initialWeights")
    let mutable s = Convert.toArray2D initialWeights
    let mutable adam = TopLayer.adamInit options.Classes options.Hidden
    let checkBatch (hidden: Matrix) =
        Check.Batch(hidden, options.Hidden, "hidden")
    let checkLabels (hidden: Matrix) (labels: ReadOnlySpan<int>) =
        checkBatch hidden
        Check.Labels(labels, hidden.Rows, options.Classes, "labels")

    interface ITopLayer with
        member _.Options = options
        member _.Forward(hidden) =
            checkBatch hidden
            Convert.toRows hidden |> Array.map (TopLayer.forward s) |> Convert.ofRows options.Classes
        member _.Loss(hidden, labels) =
            checkLabels hidden labels
            TopLayer.loss options.M s (Convert.toRows hidden) (labels.ToArray())
        member _.Gradient(hidden, labels) =
            checkLabels hidden labels
            TopLayer.gradient options.M s (Convert.toRows hidden) (labels.ToArray()) |> Convert.ofArray2D
        member _.Step(hidden, labels, learningRate) =
            checkLabels hidden labels
            Convert.learningRate learningRate
            let hs, ls = Convert.toRows hidden, labels.ToArray()
            let before = TopLayer.loss options.M s hs ls
            let g = TopLayer.gradient options.M s hs ls
            let next, state = TopLayer.adamStep options.Beta1 options.Beta2 options.Epsilon learningRate adam s g
            s <- next
            adam <- state
            before
        member _.ReadWeights() = Convert.ofArray2D s
        member _.Dispose() = ()

/// The top layer on the reference engine.
[<Implements(typeof<ReferenceEngine>)>]
type ReferenceTopLayerFactory(_engine: ReferenceEngine) =
    interface ITopLayerFactory with
        member _.Create(options, initialWeights) = new ReferenceTopLayer(options, initialWeights) :> ITopLayer
