/* Hebb kernel prelude: one kernel source compiles as OpenCL C (1.2) and as CUDA C++ (NVRTC).
   Kernels use only these macros for address spaces, indices, barriers and math. */
#ifdef __OPENCL_VERSION__
#define KERNEL __kernel
#define GLOBAL __global
#define LOCAL __local
#define BARRIER() barrier(CLK_LOCAL_MEM_FENCE)
#define LID(d) ((int)get_local_id(d))
#define GROUP(d) ((int)get_group_id(d))
#define GID(d) ((int)get_global_id(d))
#define POWF(x, y) pow((x), (y))
#define FABSF(x) fabs(x)
#define SQRTF(x) sqrt(x)
#define EXPF(x) exp(x)
#define LOGF(x) log(x)
#define TANHF(x) tanh(x)
#define FMAXF(x, y) fmax((x), (y))
#define COPYSIGNF(x, y) copysign((x), (y))
#else
#define KERNEL extern "C" __global__
#define GLOBAL
#define LOCAL __shared__
#define BARRIER() __syncthreads()
#define LID(d) ((int)((d) == 0 ? threadIdx.x : (d) == 1 ? threadIdx.y : threadIdx.z))
#define GROUP(d) ((int)((d) == 0 ? blockIdx.x : (d) == 1 ? blockIdx.y : blockIdx.z))
#define GID(d) ((int)((d) == 0 ? blockIdx.x * blockDim.x + threadIdx.x : (d) == 1 ? blockIdx.y * blockDim.y + threadIdx.y : blockIdx.z * blockDim.z + threadIdx.z))
#define POWF(x, y) powf((x), (y))
#define FABSF(x) fabsf(x)
#define SQRTF(x) sqrtf(x)
#define EXPF(x) expf(x)
#define LOGF(x) logf(x)
#define TANHF(x) tanhf(x)
#define FMAXF(x, y) fmaxf((x), (y))
#define COPYSIGNF(x, y) copysignf((x), (y))
#endif
