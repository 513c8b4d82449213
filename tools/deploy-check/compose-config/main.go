// Validates a docker-compose file the way `docker compose config` does, where
// no Docker engine runs: compose-go (the loader inside Docker Compose) parses
// it, checks it against the Compose Specification JSON schema, interpolates
// variables and checks consistency (e.g. depends_on targets exist).
//
//	go run . ../../../docker-compose.yml
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-config <docker-compose.yml>")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithName("sigil"),
		cli.WithOsEnv,
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	names := project.ServiceNames()
	sort.Strings(names)
	// Sigil's own rules for the stack: every container says when it is healthy,
	// and nothing starts before what it needs is healthy.
	for _, name := range names {
		service := project.Services[name]
		if service.HealthCheck == nil || service.HealthCheck.Disable {
			fail(fmt.Errorf("service %s has no healthcheck", name))
		}
		for dependency, condition := range service.DependsOn {
			if condition.Condition != types.ServiceConditionHealthy {
				fail(fmt.Errorf("service %s depends on %s with condition %q, want %q", name, dependency, condition.Condition, types.ServiceConditionHealthy))
			}
		}
	}
	fmt.Printf("compose file valid: %s (%d services: %v)\n", os.Args[1], len(names), names)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose file invalid: %v\n", err)
	os.Exit(1)
}
