# dockyard.registry — every entry point in one place. See README.md.
.PHONY: setup test lint sanity package unit badinput molecule demo demo-destroy

setup:            ## venv, Docker engine, local test images (idempotent, cached in /var/cache/dockyard)
	bash scripts/setup.sh

test: setup       ## the whole suite: lint, sanity, unit, every Molecule scenario (what CI runs)
	bash scripts/test.sh

lint sanity package unit badinput molecule: setup
	bash scripts/test.sh $@

demo: setup       ## deploy the stack into a local container and print the docker login line
	bash scripts/demo.sh

demo-destroy:
	bash scripts/demo.sh destroy

.PHONY: bench
bench: setup      ## the performance suite (bench/run.sh, issue 7): prints one table; not part of `make test`
	bash bench/run.sh
