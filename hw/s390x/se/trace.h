#include "trace/trace-hw_s390x_se.h"
