namespace Hebb.Contracts;

/// <summary>A rule's schedule: the values of its step at each point of training.</summary>
public interface ISchedule<out TValues> where TValues : IStepValues
{
    TValues At(TrainingTime time);
}
