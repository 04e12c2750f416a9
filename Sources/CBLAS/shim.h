#ifndef SKIM_CBLAS_SHIM_H
#define SKIM_CBLAS_SHIM_H
#include <cblas.h>
#endif
