namespace Hebb.Reference

open System
open Hebb.Contracts

/// The NNL-CONV layer behind INnlConvLayer: the functions of NnlConv.fs called as they are.
type ReferenceNnlConvLayer(options: NnlConvOptions, filters: Matrix) =
    do options.Validate() |> ignore
    do Check.State(filters, options.Filters, options.PatchSize, "filters")
    let g : NnlConv.Geometry =
        { H = options.Height; W = options.Width; C = options.Channels; Window = options.Window; Stride = options.Stride
          Pad = options.Padding; PadAfter = options.PadAfter; PoolWindow = options.PoolWindow; PoolStride = options.PoolStride }
    let m = Convert.toArray2D filters
    let checkImages (images: Matrix) = Check.Batch(images, options.Height * options.Width * options.Channels, "images")

    interface INnlConvLayer with
        member _.Options = options
        member _.Patches(images) =
            checkImages images
            Convert.toRows images |> Array.collect (NnlConv.patches g) |> Convert.ofRows options.PatchSize
        member _.Forward(images) =
            checkImages images
            Convert.toRows images |> Array.map (NnlConv.forward g options.CenterPatches options.PatchNormalization options.Power m) |> Convert.ofRows options.Features
        member _.ReadWeights() = filters.Clone()
        member _.Dispose() = ()

/// The NNL-CONV layer on the reference engine.
[<Implements(typeof<ReferenceEngine>)>]
type ReferenceNnlConvFactory(_engine: ReferenceEngine) =
    interface INnlConvFactory with
        member _.Create(options, filters) = new ReferenceNnlConvLayer(options, filters) :> INnlConvLayer
