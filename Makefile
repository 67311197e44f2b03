# Chamado: the README's two commands.
#   make run    install what is missing, build, serve http://127.0.0.1:8080 with demo data
#   make check  install what is missing, build with ASan+UBSan, run every test suite
BUILD      ?= build
CHECKBUILD ?= build/san
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps test-deps build run check check-build sqlmap clean format

all: build

# make run needs only what builds and runs Chamado; make check adds the test tools.
deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps --test

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD) chamado po/pt_BR.mo

run: build
	./$(BUILD)/chamado serve --demo --sample-tickets --data-dir var --listen $(LISTEN)

$(CHECKBUILD)/build.ninja:
	meson setup $(CHECKBUILD) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true

check-build: test-deps $(CHECKBUILD)/build.ninja
	ninja -C $(CHECKBUILD)

check: check-build
	tests/run-all $(CHECKBUILD)

# sqlmap at level 3 / risk 2 (make check runs level 2 / risk 1).
sqlmap: check-build
	tests/sqlmap/run $(CHECKBUILD) 3 2

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c')

clean:
	rm -rf $(BUILD)
