global using State = System.Collections.Generic.IReadOnlyDictionary<string, Hebb.Data.NdArray>;
