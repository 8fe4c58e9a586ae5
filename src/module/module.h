/* Private layout of modules, shared by the tree (module.c), the forward
 * (forward.c), gi_module_init_ (module_init.c) and the classes of the
 * kinds (module_<kind>.c). Only the classes know what a kind does; the
 * rest reaches them through m->cls. */
#ifndef GINIT_MODULE_H
#define GINIT_MODULE_H

#include <stdio.h>

#include "../core/internal.h"

/* The function every forward message names. */
#define GI_FORWARD_FN "gi_module_forward"

enum { GI_MAX_PARAMS = 2 };

/* Where in the tree a module sits, for messages: "0", "1.0", "<root>". */
typedef struct gi_path {
    char text[256];
} gi_path;

/* What one kind of module is and does. A module points to its class from
 * its creation on, so no kind outside the table of module.c can reach a
 * class's code. */
typedef struct gi_module_class {
    gi_module_kind kind;
    const char *name; /* "Linear": printed, and named by messages */
    int nparams;      /* entries of param_names */
    const char *const *param_names; /* m->params[k]'s name, in walk order */
    /* Whether m has parameter k at all (a Linear without bias has no
     * "bias"), existing already or not yet (a LazyLinear's). NULL when
     * nparams is 0. */
    int (*has_param)(gi_module m, int k);
    /* net(x) for this module; see gi_module_run. */
    gi_status (*forward)(gi_module m, gi_tensor x, int owned, int relu,
                         gi_tensor *y, const gi_path *where);
    int fuses_relu; /* forward takes relu = 1: rectifies in the same pass */
    int is_relu;    /* the module is max(x, 0), fusable into the step before */
    /* Undoes what a failed forward created in m (m->fresh); NULL for
     * classes whose forward creates nothing. */
    void (*rollback)(gi_module m);
    /* PyTorch's extra_repr: writes what goes between "Name(" and ")";
     * nonzero on success. NULL: children, or nothing, go there. */
    int (*extra_repr)(gi_module m, FILE *f);
    /* Frees what the class holds in m (its parameters); NULL: nothing. */
    void (*release)(gi_module m);
} gi_module_class;

struct gi_module_st {
    const gi_module_class *cls; /* a LazyLinear's turns Linear as it runs */
    gi_context ctx;             /* retained */
    gi_module parent;           /* NULL for a root */
    gi_module *children;        /* owned; only a Sequential has any */
    int64_t nchildren, capacity;
    /* params[k] is cls->param_names[k], or NULL where m has none (yet);
     * flagged as parameters (tensor `param`), owned by the class. */
    gi_tensor params[GI_MAX_PARAMS];
    int fresh; /* created by the forward in progress (cls->rollback) */
    /* Roots only: walks (apply, named_parameters) in progress over the
     * tree. While there are any, its structure is frozen: nothing is
     * added to it, moved, or freed (gi_module_walked). */
    int walks;
    struct {
        int64_t in_features, out_features;
        int has_bias;
        gi_dtype dtype; /* of the parameters, made or to be made */
    } linear; /* module_linear.c's own state */
};

/* A module of class cls on ctx (retained), without children or
 * parameters. */
gi_status gi_module_new(gi_module *out, gi_context ctx,
                        const gi_module_class *cls, const char *fn);

/* Frees m, its subtree and what its classes hold. */
void gi_module_free(gi_module m);

/* True while a walk of m's tree is in progress. */
int gi_module_walked(gi_module m);

/* GI_ERR_STATE, naming argument arg, while m's tree is walked. */
gi_status gi_module_check_not_walked(gi_module m, const char *arg,
                                     const char *fn);

/* Why child cannot join parent's children, or GI_OK. */
gi_status gi_module_check_child(gi_module parent, gi_module child,
                                const char *fn);

/* Room for extra more children in m. */
gi_status gi_module_reserve_children(gi_module m, int64_t extra,
                                     const char *fn);

/* Runs m on x within a forward. owned: x is an intermediate of this
 * forward, and the run takes it over: returns it as *y or frees it, on
 * success and failure alike. A caller's own input (owned = 0) is never
 * modified or freed. relu: rectify the output too (only for a class with
 * fuses_relu). */
gi_status gi_module_run(gi_module m, gi_tensor x, int owned, int relu,
                        gi_tensor *y, const gi_path *where);

/* The path of child i of the module at parent. */
gi_path gi_path_child(const gi_path *parent, int64_t i);

#endif
