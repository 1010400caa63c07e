/// Conversions between the contracts' float32 matrices and the reference's float64 arrays. Inputs arrive as
/// float32 (exactly representable in float64); reads of state are rounded to float32. Public, so that the C# callers
/// that run the reference's functions directly (hebb check, the biological comparison) convert the same way.
namespace Hebb.Reference

open System
open Hebb.Contracts

module Convert =
    let toArray2D (m: Matrix) : float[,] = Array2D.init m.Rows m.Cols (fun r c -> float m.[r, c])
    let toRows (m: Matrix) : float[][] = Array.init m.Rows (fun r -> Array.init m.Cols (fun c -> float m.[r, c]))
    let ofArray2D (a: float[,]) : Matrix =
        let m = Matrix(Array2D.length1 a, Array2D.length2 a)
        a |> Array2D.iteri (fun r c x -> m.[r, c] <- float32 x)
        m
    let ofRows (cols: int) (rows: float[][]) : Matrix =
        let m = Matrix(rows.Length, cols)
        rows |> Array.iteri (fun r row -> row |> Array.iteri (fun c x -> m.[r, c] <- float32 x))
        m
    let vec (m: Matrix) : float[] = Array.init m.Data.Length (fun i -> float m.Data.[i])
    let ofVec (v: float[]) : Matrix = Matrix(1, v.Length, v |> Array.map float32)
    let learningRate (lr: float) = Check.LearningRate lr
