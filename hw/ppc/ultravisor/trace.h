#include "trace/trace-hw_ppc_ultravisor.h"
