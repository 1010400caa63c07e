namespace Hebb.Reference

open Hebb.Contracts

/// The reference engine: literal, float64, slow. Its rules are the types marked [<Implements(typeof<ReferenceEngine>)>]
/// (each rule's Reference*.fs, compiled after this file).
type ReferenceEngine() =
    inherit EngineBase()
    override _.Name = "reference"
