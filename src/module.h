/* Private layout of modules, shared by module.c and forward.c. */
#ifndef GINIT_MODULE_H
#define GINIT_MODULE_H

#include "internal.h"

struct gi_module_st {
    gi_module_kind kind; /* LAZY_LINEAR turns into LINEAR when it runs */
    gi_context ctx;      /* retained */
    gi_module parent;    /* NULL for a root */
    /* Sequential */
    gi_module *children;
    int64_t nchildren, capacity;
    /* Linear and LazyLinear */
    int64_t in_features, out_features;
    int has_bias;
    gi_tensor weight, bias; /* flagged as parameters (tensor `param`) */
    int fresh; /* materialized by the forward in progress */
    /* Roots only: walks (apply, named_parameters) in progress over the
     * tree. While there are any, its structure is frozen: nothing is
     * added to it, moved, or freed (gi_module_walked). */
    int walks;
};

/* Creates and default-initializes a Linear's parameters (PyTorch's
 * reset_parameters) from the context's generator. On failure m is as
 * before. */
gi_status gi_linear_materialize(gi_module m, int64_t in_features,
                                const char *fn);

/* Drops a Linear's parameters, making it lazy again. */
void gi_linear_unmaterialize(gi_module m);

/* True while a walk of m's tree is in progress. */
int gi_module_walked(gi_module m);

#endif
