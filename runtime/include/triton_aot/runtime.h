// Everything generated launch code needs; include this, or a generated header.
#pragma once

#include "gpu.h"
#include "grid.h"
#include "kernel.h"
#include "kernel_image.h"
#include "status.h"
#include "types.h"
