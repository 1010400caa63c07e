namespace Hebb.Contracts;

/// <summary>
/// The values one step of a rule takes from its schedule: a record of the rule's own (<see cref="KrotovStep"/>: a
/// learning rate; a SOM's: a learning rate and a neighbourhood radius; CSNN's: the SOM's and the masks' learning rates).
/// The caller owns the schedule (<see cref="ISchedule{TValues}"/>); the layer takes the values.
/// </summary>
public interface IStepValues;
