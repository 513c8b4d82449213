// Checks the Dockerfile where no Docker engine runs, with BuildKit's own
// parser: it must parse into stages, every COPY from the build context must
// name files that exist and that .dockerignore does not exclude, every
// COPY --from must name an earlier stage, and the final stage must run as a
// non-root user with a HEALTHCHECK and a CMD.
//
//	go run . <repo root>
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: dockerfile-check <build context>")
		os.Exit(2)
	}
	context := os.Args[1]
	problems, stages, err := check(context)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Dockerfile invalid: %v\n", err)
		os.Exit(1)
	}
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "Dockerfile invalid:")
		for _, p := range problems {
			fmt.Fprintf(os.Stderr, "  - %s\n", p)
		}
		os.Exit(1)
	}
	fmt.Printf("Dockerfile valid: stages %s\n", strings.Join(stages, " -> "))
}

func check(context string) ([]string, []string, error) {
	file, err := os.Open(filepath.Join(context, "Dockerfile"))
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	ast, err := parser.Parse(file)
	if err != nil {
		return nil, nil, err
	}
	stages, _, err := instructions.Parse(ast.AST, nil)
	if err != nil {
		return nil, nil, err
	}
	ignore, err := dockerignore(context)
	if err != nil {
		return nil, nil, err
	}

	var problems, names []string
	seen := map[string]bool{}
	for i, stage := range stages {
		name := stage.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i)
		}
		names = append(names, name)
		for _, command := range stage.Commands {
			cp, ok := command.(*instructions.CopyCommand)
			if !ok {
				continue
			}
			if cp.From != "" {
				if !seen[cp.From] {
					problems = append(problems, fmt.Sprintf("stage %s: COPY --from=%s names no earlier stage", name, cp.From))
				}
				continue
			}
			for _, source := range cp.SourcePaths {
				problems = append(problems, contextSource(context, ignore, name, source)...)
			}
		}
		seen[stage.Name] = true
	}

	final := stages[len(stages)-1]
	var user string
	var healthcheck, cmd bool
	for _, command := range final.Commands {
		switch c := command.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.HealthCheckCommand:
			healthcheck = c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] != "NONE"
		case *instructions.CmdCommand:
			cmd = true
		}
	}
	if user == "" || user == "root" || user == "0" || strings.HasPrefix(user, "0:") {
		problems = append(problems, fmt.Sprintf("final stage %s runs as root (USER %q)", final.Name, user))
	}
	if !healthcheck {
		problems = append(problems, fmt.Sprintf("final stage %s has no HEALTHCHECK", final.Name))
	}
	if !cmd {
		problems = append(problems, fmt.Sprintf("final stage %s has no CMD", final.Name))
	}
	return problems, names, nil
}

func dockerignore(context string) (*patternmatcher.PatternMatcher, error) {
	file, err := os.Open(filepath.Join(context, ".dockerignore"))
	if os.IsNotExist(err) {
		return patternmatcher.New(nil)
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	patterns, err := ignorefile.ReadAll(file)
	if err != nil {
		return nil, err
	}
	return patternmatcher.New(patterns)
}

func contextSource(context string, ignore *patternmatcher.PatternMatcher, stage, source string) []string {
	matches, err := filepath.Glob(filepath.Join(context, source))
	if err != nil || len(matches) == 0 {
		return []string{fmt.Sprintf("stage %s: COPY %s: no such file in the build context", stage, source)}
	}
	var problems []string
	for _, match := range matches {
		rel, _ := filepath.Rel(context, match)
		excluded, err := ignore.MatchesOrParentMatches(filepath.ToSlash(rel))
		if err != nil {
			problems = append(problems, err.Error())
		} else if excluded {
			problems = append(problems, fmt.Sprintf("stage %s: COPY %s: excluded by .dockerignore", stage, rel))
		}
	}
	return problems
}
