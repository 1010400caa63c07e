namespace Hebb.Reference

open System
open Hebb.Contracts

/// CSNN's masked multi-head sconv layer behind ICsnnLayer: float64 state, the functions of Csnn.fs called as they are;
/// the patches cut by NnlConv.patch (channel-major, zero padding).
type ReferenceCsnnLayer(options: CsnnOptions, weights: Collections.Generic.IReadOnlyList<Matrix>, masks: Collections.Generic.IReadOnlyList<Matrix>) =
    do options.Validate() |> ignore
    do options.CheckState(weights, masks)
    let geometry : NnlConv.Geometry =
        { H = options.Height; W = options.Width; C = options.Channels; Window = options.Kernel; Stride = options.Stride
          Pad = options.Padding; PadAfter = options.PadAfter; PoolWindow = 1; PoolStride = 1 }
    let kind =
        match options.MaskKind with
        | CsnnMaskKind.BetweenLayers when options.CodePairing -> Csnn.BetweenLayersCodePairing(options.Kernel * options.Kernel)
        | CsnnMaskKind.BetweenLayers -> Csnn.BetweenLayers(options.Kernel * options.Kernel)
        | _ -> Csnn.InputMask
    let stepOptions : Csnn.StepOptions =
        { Grid = { Rows = options.GridRows; Cols = options.GridCols }; Sigma = options.Sigma; Kind = kind
          Rule = (match options.MaskRule with
                  | CsnnMaskRule.EarlierMasks -> Csnn.EarlierMasks options.Gamma
                  | _ -> Csnn.AllMasks options.Gamma)
          AllBmus = options.AllBmus; MaskNeighbourhood = options.MaskNeighbourhood }
    let mutable maps : Csnn.Map[] =
        Array.init options.Maps (fun h -> { W = Convert.toRows weights.[h]; M = Convert.toRows masks.[h] })
    let imageSize = options.Height * options.Width * options.Channels
    let checkImages (images: Matrix) = Check.Batch(images, imageSize, "images")

    /// Every neuron's score at every position for each image, float64, channel-major (eq. 8).
    let scores (images: Matrix) =
        let positions = options.Positions
        Convert.toRows images
        |> Array.map (fun img ->
            let outs = NnlConv.patches geometry img |> Array.map (Csnn.output kind maps)
            Array.init options.Features (fun f -> outs.[f % positions].[f / positions]))

    /// The float64 maps themselves, for tests that hold the reference to the paper's laws.
    member _.Maps = maps

    /// The block's output in float64 (section III-F): the scores, batch norm per channel, max pooling "same".
    member _.Block(images: Matrix, normalization: CsnnNormalization) =
        checkImages images
        normalization.CheckFor(options, "normalization") |> ignore
        let positions = options.Positions
        scores images
        |> Array.map (fun y ->
            Array.init options.OutChannels (fun c ->
                y.[c * positions .. (c + 1) * positions - 1]
                |> Array.map (Csnn.batchNorm (float normalization.Mean.[c]) (float normalization.Variance.[c]) normalization.Epsilon)
                |> Csnn.maxPoolSame options.Pool options.OutHeight options.OutWidth)
            |> Array.concat)

    interface ICsnnLayer with
        member _.Options = options
        member _.Step(images: Matrix, values: CsnnStep) =
            checkImages images
            values.Validate() |> ignore
            let patches = Convert.toRows images |> Array.collect (NnlConv.patches geometry)
            maps <- Csnn.step stepOptions values.SomRate values.MaskRate maps patches
        member _.Forward(images) =
            checkImages images
            scores images |> Convert.ofRows options.Features
        member this.Encode(images, normalization) =
            this.Block(images, normalization) |> Convert.ofRows options.EncodedFeatures
        member _.ReadWeights(h) =
            options.CheckMap h
            Convert.ofRows options.PatchSize maps.[h].W
        member _.ReadMasks(h) =
            options.CheckMap h
            Convert.ofRows options.MaskSize maps.[h].M
        member _.WriteMasks(h, masks) =
            options.CheckMasks(h, masks)
            maps <- Array.mapi (fun i (m: Csnn.Map) -> if i = h then { m with M = Convert.toRows masks } else m) maps
        member _.Dispose() = ()

/// CSNN's sconv layer on the reference engine.
[<Implements(typeof<ReferenceEngine>)>]
type ReferenceCsnnFactory(_engine: ReferenceEngine) =
    interface ICsnnFactory with
        member _.Create(options, weights, masks) = new ReferenceCsnnLayer(options, weights, masks) :> ICsnnLayer
