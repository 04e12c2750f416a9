#ifndef SKIM_CMPI_SHIM_H
#define SKIM_CMPI_SHIM_H
#include <mpi.h>

/* Open MPI's handles are macros over addresses of global structs, which Swift cannot import.
   These accessors return them as plain values. */
static inline MPI_Comm skim_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype skim_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype skim_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype skim_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype skim_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype skim_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Op skim_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op skim_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op skim_mpi_min(void) { return MPI_MIN; }
static inline void *skim_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *skim_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Status *skim_mpi_statuses_ignore(void) { return MPI_STATUSES_IGNORE; }
static inline MPI_Request skim_mpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler skim_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int skim_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int skim_mpi_success(void) { return MPI_SUCCESS; }

#endif
