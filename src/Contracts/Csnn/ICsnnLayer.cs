namespace Hebb.Contracts;

/// <summary>
/// A masked multi-head sconv layer of CSNN (Stuhr &amp; Brauer, section III), created by an engine from options and
/// explicit initial weights and masks (the paper draws both U(-1, 1); the caller does); its state lives in the engine.
/// Images are B x (C x H x W) rows, channel-major.
/// </summary>
public interface ICsnnLayer : ILearner<CsnnStep>
{
    CsnnOptions Options { get; }

    /// <summary>Every neuron's masked score (eq. 8) at every position: B x Features, channel-major (map by map, neuron
    /// by neuron, then positions row by row), with no nonlinearity.</summary>
    Matrix Forward(Matrix images);

    /// <summary>The block's output (section III-F): the layer's scores (<see cref="Forward"/>), each channel normalized
    /// by <paramref name="normalization"/>, then max pooled over Pool x Pool windows with stride Pool, padding "same"
    /// (padded cells never win): B x EncodedFeatures, channel-major.</summary>
    Matrix Encode(Matrix images, CsnnNormalization normalization);

    /// <summary>Map <paramref name="map"/>'s weights, Neurons x PatchSize (a host copy).</summary>
    Matrix ReadWeights(int map);

    /// <summary>Map <paramref name="map"/>'s masks, Neurons x MaskSize (a host copy).</summary>
    Matrix ReadMasks(int map);

    /// <summary>Replaces map <paramref name="map"/>'s masks with <paramref name="masks"/> (Neurons x MaskSize, finite):
    /// the NO rows of Table I, whose noise masks are drawn anew before every training step.</summary>
    void WriteMasks(int map, Matrix masks);

    /// <summary>The state: "weights/h" and "masks/h" for each map h.</summary>
    RuleState ILearner<CsnnStep>.ReadState()
    {
        var state = new RuleState();
        for (int h = 0; h < Options.Maps; h++)
        {
            state.Add($"weights/{h}", Tensor.Of(ReadWeights(h)));
            state.Add($"masks/{h}", Tensor.Of(ReadMasks(h)));
        }
        return state;
    }
}
