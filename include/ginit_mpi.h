/*
 * ginit_mpi — ginit's shards across the processes of an MPI program.
 *
 * A separate library (libginit_mpi, built when MPI is found: GINIT_MPI=
 * AUTO, ON or OFF) on top of libginit, which itself links nothing of MPI.
 * It adds what needs the processes to talk: the shard each rank holds for
 * the common layouts, tensor-parallel Linears, orthogonal_ of a sharded
 * matrix, a check that the ranks' shards tile their global tensor, and
 * safetensors files written and read by all the ranks together.
 *
 * The guarantee (docs/shards.md): ginit's core gives every element of a
 * shard the value it has in the global tensor filled at once, and
 * advances the generator as that whole fill does. So ranks that start
 * from one generator state and fill their shards, without talking to each
 * other, hold the whole tensor bit for bit, for any number of ranks, any
 * layout, any device; the collective calls here keep it (orthogonal_ and
 * the files included).
 *
 * Conventions, beyond ginit.h's:
 *  - Every function taking an MPI_Comm is collective: every rank of comm
 *    calls it, in the same order, with the arguments it says must agree.
 *  - Failures are collective too. Each call checks its arguments on every
 *    rank and agrees on the outcome before any rank writes anything, and
 *    again after work that can fail on one rank alone (a read, an
 *    allocation, a QR): when a rank fails, every rank returns a failure
 *    and none hangs. The failing rank returns its own status and message;
 *    the others return GI_ERR_PEER, with a message naming the lowest
 *    failing rank and repeating its message ("gi_mpi_orthogonal_: rank 2
 *    of 4 failed: gi_mpi_orthogonal_: argument 'shard' is NULL").
 *  - ginit's own threads rule holds per rank; a call here may use comm
 *    from the calling thread only (MPI_THREAD_FUNNELED is enough).
 *  - MPI errors follow comm's error handler (MPI's default aborts the job);
 *    file errors are returned as GI_ERR_IO, MPI-IO's default.
 */
#ifndef GINIT_MPI_H
#define GINIT_MPI_H

#include <mpi.h>

#include "ginit.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Layouts: which shard of a global tensor each rank holds                   */
/* ------------------------------------------------------------------------ */
/*
 * Every layout cuts a dimension of size n into `parts` balanced blocks:
 * part i starts at i * (n / parts) + min(i, n % parts) and holds
 * n / parts + (i < n % parts) elements, so sizes differ by at most one,
 * the larger first, and a part may be empty when parts > n.
 */
typedef enum gi_mpi_layout {
    GI_MPI_REPLICATED = 0, /* every rank holds the whole tensor */
    GI_MPI_ROWS = 1,       /* blocks of dimension 0 (at least 1-D) */
    GI_MPI_COLUMNS = 2,    /* blocks of the last dimension (at least 1-D) */
    GI_MPI_GRID = 3,       /* a grid_rows x (size / grid_rows) process grid:
                              rank r = i * grid_cols + j holds row block i
                              (dimension 0) and column block j (the last
                              dimension); at least 2-D */
    GI_MPI_FLAT = 4        /* blocks of the flattened row-major tensor, as
                              FSDP's flat parameters: a 1-D shard */
} gi_mpi_layout;

/* The balanced part `index` of `parts` of a dimension of size n (above):
 * *start and *size. Not collective. Returns GI_OK, GI_ERR_NULL_ARGUMENT,
 * GI_ERR_INVALID_ARGUMENT (n < 0, parts < 1, index outside [0, parts)). */
GI_API gi_status gi_mpi_split(int64_t n, int parts, int index,
                              int64_t *start, int64_t *size);

/* Where this rank's shard of a global tensor (ndim sizes global_shape)
 * lies under layout, without creating it: *out is the gi_shard_info its
 * tensor will report (GI_SHARD_NONE with the global shape for
 * GI_MPI_REPLICATED) and shape, when not NULL, receives the shard's own
 * shape (GI_MAX_DIMS entries of room; one entry for GI_MPI_FLAT). grid_rows
 * is read for GI_MPI_GRID only: it must divide comm's size. Collective:
 * layout, grid_rows and the global shape must agree on every rank.
 * Returns GI_OK, GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (comm
 * MPI_COMM_NULL, layout not a gi_mpi_layout, grid_rows), GI_ERR_SHAPE
 * (ndim outside [0, GI_MAX_DIMS], a negative size, too few dimensions for
 * the layout), GI_ERR_OVERFLOW, GI_ERR_PEER (a rank disagrees or failed). */
GI_API gi_status gi_mpi_shard_layout(MPI_Comm comm, gi_mpi_layout layout,
                                     int grid_rows, int ndim,
                                     const int64_t *global_shape,
                                     gi_shard_info *out, int64_t *shape);

/* Creates on ctx, in *out, this rank's shard of the global tensor of
 * dtype and global_shape under layout (gi_mpi_shard_layout), declared as
 * that shard (gi_tensor_set_shard or gi_tensor_set_flat_shard; an
 * ordinary tensor for GI_MPI_REPLICATED); its elements are unset, as
 * gi_tensor_create's. The caller owns it. Collective, as
 * gi_mpi_shard_layout; dtype must agree too. Returns as
 * gi_mpi_shard_layout and gi_tensor_create; *out is written on success
 * only. */
GI_API gi_status gi_mpi_shard_create(gi_tensor *out, gi_context ctx,
                                     MPI_Comm comm, gi_mpi_layout layout,
                                     int grid_rows, gi_dtype dtype, int ndim,
                                     const int64_t *global_shape);

/* This rank's part of nn.Linear(in_features, out_features, bias) split
 * over comm's ranks (gi_linear_create_parallel with the balanced part of
 * comm's rank): GI_LINEAR_COLUMN ("column-parallel", Megatron's
 * ColumnParallelLinear) splits the outputs, its weight by GI_MPI_ROWS and
 * its bias alike; GI_LINEAR_ROW ("row-parallel") splits the inputs, its
 * weight by GI_MPI_COLUMNS, the bias whole on every rank. Every rank's
 * context generator must be in the same state: the parts are then the
 * whole Linear bit for bit, and every generator ends where the whole
 * Linear's creation leaves it. Collective: the features, bias, dtype,
 * split and the generators' states must agree. Returns as
 * gi_linear_create_parallel, plus GI_ERR_INVALID_ARGUMENT (comm
 * MPI_COMM_NULL; an argument or a generator state that differs from rank
 * 0's), GI_ERR_PEER. */
GI_API gi_status gi_mpi_linear_create(gi_module *out, gi_context ctx,
                                      MPI_Comm comm, int64_t in_features,
                                      int64_t out_features, int bias,
                                      gi_dtype dtype, gi_linear_split split);

/* ------------------------------------------------------------------------ */
/* Collective initializers and checks                                         */
/* ------------------------------------------------------------------------ */

/* gi_orthogonal_(whole, gain, gen) of the global matrix whose shards the
 * ranks pass (each its own: box or flat shards, or ordinary tensors
 * holding the whole on every rank), bit for bit what one process filling
 * the whole matrix on the lowest rank's device gets: the shards are
 * gathered to the lowest rank of comm, which draws and factors the whole
 * matrix there and sends each rank its elements; every rank's gen (NULL:
 * its shard context's default generator) must be in the same state, and
 * every one ends where the whole fill leaves it. The shards must tile the
 * global tensor (as gi_mpi_check_shards checks) and agree on dtype and
 * gain. Memory: the lowest rank holds the whole matrix, and its QR
 * workspace, as gi_orthogonal_ does, then a host copy of the whole and a
 * host buffer of the largest rank's shard; the others hold their shard's
 * bytes once more on the host. Returns as gi_orthogonal_, plus
 * GI_ERR_INVALID_ARGUMENT (comm MPI_COMM_NULL, gain not finite,
 * disagreeing arguments or generator states, shards that do not tile the
 * global tensor: the message says where), GI_ERR_PEER; on failure no
 * generator moved, on any rank, and no shard changed, except when the
 * last step, each rank's copy of its bytes into its device shard, fails
 * on a rank (GI_ERR_CUDA): the other ranks' shards then hold their new
 * values. */
GI_API gi_status gi_mpi_orthogonal_(gi_tensor shard, double gain,
                                    gi_generator gen, MPI_Comm comm);

/* Checks that the ranks' tensors are the shards of one global tensor and
 * tile it: the same dtype and global shape on every rank, and either
 * every rank holds the whole tensor (ordinary tensors, or shards as large
 * as the global one; their values must then agree bit for bit) or the
 * shards are disjoint and cover every element. *checksum, on every rank,
 * receives a 64-bit digest of the whole tensor's values: the sum, modulo
 * 2^64, of a hash of each element's global row-major index and bits, so
 * it is the same for every number of ranks and every layout holding the
 * same whole tensor, and differs when any element differs (with
 * probability 1 - 2^-64). The hash of element g whose bits (its 2, 4 or
 * 8 bytes as an unsigned integer) are b is splitmix64's finalizer of
 * x = g * 0x9E3779B97F4A7C15 ^ b (all modulo 2^64):
 * z = (x ^ x >> 30) * 0xBF58476D1CE4E5B9, z = (z ^ z >> 27) *
 * 0x94D049BB133111EB, hash = z ^ z >> 31. A replicated tensor counts once.
 * Device tensors are copied to the host first. Returns GI_OK,
 * GI_ERR_NULL_ARGUMENT, GI_ERR_INVALID_ARGUMENT (comm MPI_COMM_NULL;
 * shards that overlap, leave a gap or disagree on dtype or shape, which
 * every rank reports alike; replicas whose values differ from rank 0's,
 * which the differing ranks report, naming the ranks and the first
 * element that differs, and the others learn as GI_ERR_PEER),
 * GI_ERR_OUT_OF_MEMORY, GI_ERR_CUDA, GI_ERR_PEER. */
GI_API gi_status gi_mpi_check_shards(gi_tensor shard, MPI_Comm comm,
                                     uint64_t *checksum);

/* ------------------------------------------------------------------------ */
/* safetensors, written and read by every rank                                */
/* ------------------------------------------------------------------------ */
/*
 * Each rank passes the same names in the same order, with its own
 * tensors: shards (they count as their global tensor, which must be tiled
 * as gi_mpi_check_shards says) or ordinary tensors, which every rank
 * holds whole and the lowest rank writes. The files are the ones
 * gi_save_safetensors writes for the global tensors, byte for byte, and
 * they are written atomically as its files are (a temporary name, synced
 * and renamed into place once every rank's bytes are in).
 */

/* Writes one file at path (on a file system every rank sees) through
 * MPI-IO: the lowest rank creates the temporary file beside path
 * ("path.tmp.<pid>.<n>") and writes the header (gi_safetensors_header of
 * the global dtypes and shapes), every rank its shards' bytes at their
 * offsets (one collective write per tensor, through a file view of the
 * rank's runs of consecutive global indices; a write per run for a
 * tensor above 2 GiB, MPI's int counts; a tensor every rank holds whole
 * by the lowest rank alone); the lowest
 * rank renames the synced file over path and syncs the directory. Host
 * shards are written from their own memory, device shards from a host
 * copy of each (one shard's bytes at a time). Collective: path, n, names
 * and the metadata must agree. Returns as gi_save_safetensors, plus
 * GI_ERR_INVALID_ARGUMENT (comm MPI_COMM_NULL, an argument that differs
 * between ranks, shards that do not tile their tensor), GI_ERR_PEER; on
 * failure path is as it was and the temporary file is removed. */
GI_API gi_status gi_mpi_save_safetensors(const char *path, int64_t n,
                                         const char *const *names,
                                         const gi_tensor *tensors,
                                         int64_t nmeta,
                                         const gi_metadata *meta,
                                         MPI_Comm comm);

/* gi_mpi_save_safetensors of the tree's parameters under their
 * named_parameters names: the trees of the ranks are the parts of one
 * model (gi_mpi_linear_create's Linears, ordinary layers replicated).
 * Returns as gi_mpi_save_safetensors, and GI_ERR_STATE (a LazyLinear that
 * has not run). */
GI_API gi_status gi_mpi_module_save_safetensors(gi_module m, const char *path,
                                                int64_t nmeta,
                                                const gi_metadata *meta,
                                                MPI_Comm comm);

/* Writes the tensors into several files in the directory dir, the layout
 * Hugging Face uses for sharded checkpoints: min(size of comm, n) files
 * "model-00001-of-0000F.safetensors" ... (F files; each holds a run of
 * the tensors, whole, in the order given: file k (from 0) starts at the
 * first tensor whose data starts at or after k / F of all the data bytes,
 * moved later or earlier where needed so that every file holds at least
 * one tensor) and "model.safetensors.index.json", {"metadata":
 * {"total_size": the data bytes of all tensors}, "weight_map": {name:
 * file}} (sorted keys, two-space indents, as transformers writes it),
 * which transformers' and ginit's loaders read. Each file is written by
 * every rank through MPI-IO as gi_mpi_save_safetensors writes its one,
 * with the metadata in every file; the index last, by the lowest rank,
 * atomically, once every file is in place. With n = 0 there is no data
 * file: the index alone, its weight_map empty and total_size 0. dir must
 * exist; files of an earlier checkpoint there are replaced when their
 * names recur and left otherwise (the index names only the new ones).
 * Collective, as gi_mpi_save_safetensors. Returns as it does; on failure
 * the index is as it was, while files written before the failing one are
 * in place. */
GI_API gi_status gi_mpi_save_safetensors_index(const char *dir, int64_t n,
                                               const char *const *names,
                                               const gi_tensor *tensors,
                                               int64_t nmeta,
                                               const gi_metadata *meta,
                                               MPI_Comm comm);

/* gi_mpi_save_safetensors_index of a tree, as
 * gi_mpi_module_save_safetensors. */
GI_API gi_status gi_mpi_module_save_safetensors_index(gi_module m,
                                                      const char *dir,
                                                      int64_t nmeta,
                                                      const gi_metadata *meta,
                                                      MPI_Comm comm);

/* Loads every rank's tensors from the file at path, each rank reading
 * only its shards' bytes (gi_safetensors_load_into reads a shard out of
 * its global tensor): the file's tensors must have the global shapes (or
 * a tensor's own shape, which loads it whole) and the tensors' dtypes;
 * the ranks' shards need not tile anything (any layout loads, whatever
 * the one saved). All or nothing across the ranks up to the file
 * itself: every rank opens and checks the file and its names before any
 * rank writes an element; a read that fails after that is reported on
 * every rank. Collective: path, n and names must agree. Returns as
 * gi_load_safetensors, plus GI_ERR_INVALID_ARGUMENT (comm MPI_COMM_NULL),
 * GI_ERR_PEER. */
GI_API gi_status gi_mpi_load_safetensors(const char *path, int64_t n,
                                         const char *const *names,
                                         const gi_tensor *tensors,
                                         MPI_Comm comm);

/* gi_mpi_load_safetensors into the tree's parameters, strict as
 * gi_module_load_safetensors (no key missing, none unexpected). */
GI_API gi_status gi_mpi_module_load_safetensors(gi_module m, const char *path,
                                                MPI_Comm comm);

/* Loads from a sharded checkpoint: index_path is a
 * "model.safetensors.index.json" (Hugging Face's layout, as
 * gi_mpi_save_safetensors_index writes it), whose weight_map names for
 * each tensor a file in the index's directory (a plain file name: no
 * directory part); each rank opens the files that hold its tensors and
 * reads only its shards. The index is hostile input, read on every rank
 * by gi_safetensors_index_open (GI_ERR_FORMAT, the message naming the
 * field), the files as gi_safetensors_open says; a name that the index,
 * or the file it names, lacks is GI_ERR_INVALID_ARGUMENT (as for
 * gi_load_safetensors_index). Collective: index_path, n and names must
 * agree; all or nothing as gi_mpi_load_safetensors. */
GI_API gi_status gi_mpi_load_safetensors_index(const char *index_path,
                                               int64_t n,
                                               const char *const *names,
                                               const gi_tensor *tensors,
                                               MPI_Comm comm);

/* gi_mpi_load_safetensors_index into the tree's parameters, strict: the
 * index must name exactly the tree's parameters. */
GI_API gi_status gi_mpi_module_load_safetensors_index(gi_module m,
                                                      const char *index_path,
                                                      MPI_Comm comm);

#ifdef __cplusplus
}
#endif

#endif /* GINIT_MPI_H */
