# The two commands of the README, each complete on a fresh Debian 12 machine:
#   make demo   installs what is missing, builds, runs the walkthrough
#   make test   installs what is missing, builds, runs the test suite
#   make bench  also installs Debian's PyTorch when run as root, builds,
#               then runs the benchmarks (never part of the tests)
# BUILD selects the build folder; CMAKE_FLAGS adds configure options, e.g.
#   make test BUILD=build-cpu CMAKE_FLAGS=-DGINIT_CUDA=OFF

BUILD ?= build
CMAKE_FLAGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps configure build test demo bench install clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

configure: $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	$(BUILD)/examples/walkthrough $(ARGS)

# PyTorch's side runs where it imports: Debian's python3-torch, which
# install-deps.sh --bench installs when run as root (make test never needs
# it). Where TORCH_PY cannot import torch, the comparison is skipped and
# make bench says so; ginit's own timings run either way.
TORCH_PY ?= /usr/bin/python3
TORCH_CSV = $(BUILD)/bench_torch.csv
bench: build
	@scripts/install-deps.sh --bench || \
	    echo "make bench: PyTorch could not be installed (see above)"
	$(BUILD)/bench/ginit_bench $(ARGS) --csv $(BUILD)/bench_init.csv
	@rm -f $(TORCH_CSV)
	@if $(TORCH_PY) -c 'import torch' 2>/dev/null; then \
	    echo "$(TORCH_PY) bench/torch_reference.py $(ARGS) --csv $(TORCH_CSV)"; \
	    $(TORCH_PY) bench/torch_reference.py $(ARGS) --csv $(TORCH_CSV); \
	else \
	    echo "make bench: $(TORCH_PY) cannot import torch, so the PyTorch" \
	         "comparison is skipped (install python3-torch, or set" \
	         "TORCH_PY to a Python that has torch)"; \
	fi
	python3 bench/join.py $(BUILD)/bench_init.csv $(TORCH_CSV)
	@if [ -f $(TORCH_CSV) ]; then \
	    echo "$(TORCH_PY) bench/side_by_side.py $(BUILD)/libginit.so"; \
	    $(TORCH_PY) bench/side_by_side.py $(BUILD)/libginit.so; \
	fi
	$(BUILD)/bench/ginit_bench_forward

install: build
	cmake --install $(BUILD) $(if $(PREFIX),--prefix $(PREFIX))

clean:
	rm -rf $(BUILD)
