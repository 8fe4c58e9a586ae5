/* A module tree's parameters to and from safetensors files, under their
 * named_parameters names, as PyTorch's state_dict. */
#include <string.h>

#include "../core/alloc.h"
#include "../module/module.h"
#include "safetensors.h"

static gi_status add_param(const char *name, gi_tensor p, void *user)
{
    gi_st_params *ps = user;
    size_t len = strlen(name) + 1;
    char *copy = ps->n < ps->cap ? gi_malloc(len) : NULL;
    if (copy == NULL)
        return GI_ERR_OUT_OF_MEMORY;
    ps->names[ps->n] = memcpy(copy, name, len);
    ps->tensors[ps->n++] = p;
    return GI_OK;
}

void gi_st_release_params(gi_st_params *ps)
{
    for (int64_t i = 0; i < ps->n; ++i)
        free(ps->names[i]);
    free(ps->names);
    free(ps->tensors);
}

gi_status gi_st_collect_params(gi_module m, gi_st_params *ps, const char *fn)
{
    memset(ps, 0, sizeof *ps);
    ps->cap = gi_module_num_parameters(m);
    size_t room = ps->cap > 0 ? (size_t)ps->cap : 1;
    ps->names = gi_calloc(room, sizeof *ps->names);
    ps->tensors = gi_calloc(room, sizeof *ps->tensors);
    gi_status st = GI_ERR_OUT_OF_MEMORY;
    if (ps->names != NULL && ps->tensors != NULL)
        st = gi_module_named_parameters(m, add_param, ps);
    if (st == GI_ERR_OUT_OF_MEMORY)
        gi_fail(st, fn, "cannot allocate the list of %lld parameters",
                (long long)ps->cap);
    if (st != GI_OK)
        gi_st_release_params(ps);
    return st;
}

/* Whether m has a parameter that does not exist yet (a LazyLinear's
 * before its first forward). */
static int has_unmade_param(gi_module m)
{
    for (int k = 0; k < m->cls->nparams; ++k)
        if (m->cls->has_param(m, k) && m->params[k] == NULL)
            return 1;
    return 0;
}

/* The first module of the tree with unmade parameters, by its path. */
static gi_module find_unmade(gi_module m, const gi_path *at, gi_path *found)
{
    if (has_unmade_param(m)) {
        *found = *at;
        return m;
    }
    for (int64_t i = 0; i < m->nchildren; ++i) {
        gi_path child = gi_path_child(at, i);
        gi_module u = find_unmade(m->children[i], &child, found);
        if (u != NULL)
            return u;
    }
    return NULL;
}

gi_status gi_st_check_materialized(gi_module m, const char *fn)
{
    const gi_path root = {"<root>"};
    gi_path where;
    gi_module u = find_unmade(m, &root, &where);
    if (u != NULL)
        return gi_fail(GI_ERR_STATE, fn, "module %s is a %s that has not run "
                       "its first forward: its parameters do not exist yet",
                       where.text, u->cls->name);
    return GI_OK;
}

gi_status gi_module_save_safetensors(gi_module m, const char *path,
                                     int64_t nmeta, const gi_metadata *meta)
{
    static const char *const fn = "gi_module_save_safetensors";
    GI_CHECK_NULL(m, fn);
    gi_status st = gi_st_check_materialized(m, fn);
    gi_st_params ps;
    if (st == GI_OK)
        st = gi_st_collect_params(m, &ps, fn);
    if (st != GI_OK)
        return st;
    st = gi_st_save(path, ps.n, (const char *const *)ps.names, ps.tensors,
                    nmeta, meta, fn);
    gi_st_release_params(&ps);
    return st;
}

void gi_st_list_key(char *buf, size_t cap, const char *name)
{
    size_t used = strlen(buf);
    if (used + 1 < cap)
        snprintf(buf + used, cap - used, "%s\"%s\"", used ? ", " : "", name);
}

/* strict=True: every parameter in the file, nothing else there. */
static gi_status check_keys(gi_safetensors f, const gi_st_params *ps,
                            const char *fn)
{
    char *seen = gi_calloc(f->n > 0 ? (size_t)f->n : 1, 1);
    if (seen == NULL)
        return gi_fail(GI_ERR_OUT_OF_MEMORY, fn, "cannot allocate the key "
                       "check of %lld tensors", (long long)f->n);
    char missing[192] = "", unexpected[192] = "";
    for (int64_t i = 0; i < ps->n; ++i) {
        int64_t k = gi_st_find(f, ps->names[i]);
        if (k < 0)
            gi_st_list_key(missing, sizeof missing, ps->names[i]);
        else
            seen[k] = 1;
    }
    for (int64_t k = 0; k < f->n; ++k)
        if (!seen[k])
            gi_st_list_key(unexpected, sizeof unexpected, f->entries[k].name);
    free(seen);
    if (missing[0] == '\0' && unexpected[0] == '\0')
        return GI_OK;
    return gi_fail(GI_ERR_INVALID_ARGUMENT, fn, "'%s' does not match the "
                   "tree: missing key(s): %s; unexpected key(s): %s",
                   f->path, missing[0] ? missing : "none",
                   unexpected[0] ? unexpected : "none");
}

gi_status gi_module_load_safetensors(gi_module m, const char *path)
{
    static const char *const fn = "gi_module_load_safetensors";
    GI_CHECK_NULL(m, fn);
    GI_CHECK_NULL(path, fn);
    gi_status st = gi_st_check_materialized(m, fn);
    gi_safetensors f = NULL;
    if (st == GI_OK)
        st = gi_st_open(&f, path, fn);
    gi_st_params ps;
    if (st == GI_OK && (st = gi_st_collect_params(m, &ps, fn)) == GI_OK) {
        st = check_keys(f, &ps, fn);
        if (st == GI_OK)
            st = gi_st_load_into(f, ps.n, (const char *const *)ps.names,
                                 ps.tensors, fn);
        gi_st_release_params(&ps);
    }
    gi_safetensors_close(f);
    return st;
}
