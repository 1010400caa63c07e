using Hebb.Accelerated.Backends.Device;
using Hebb.Contracts;

[assembly: NotImplementedOn(typeof(DeviceEngine), typeof(ICsnnFactory),
    "CSNN's sconv layer has no GPU kernels yet (issue 31): it runs on the reference and cpu engines")]
