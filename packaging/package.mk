# The desktop bundle (issue 8), included by the Makefile: `make package` builds
# dist/pandadmin/ with PyInstaller from its own clean venv and prints its size;
# `make package-test` smoke-tests that bundle against a real PostgreSQL and keyring,
# then checks that the sdist and wheel hold every data file, install and run.
.PHONY: package package-test package-deps

package-deps:
	@bash packaging/package-deps.sh

package: package-deps
	bash packaging/build.sh

package-test: $(BIN)/.installed system-deps package
	bash scripts/with-secret-service.sh $(BIN)/python packaging/smoke_test.py
	bash scripts/with-secret-service.sh $(BIN)/python packaging/check_dist.py
