package scaffold

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Prompter asks for missing values on a terminal.
type Prompter struct {
	in  *bufio.Reader
	out io.Writer
}

// NewPrompter reads answers from in and writes questions to out.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	return &Prompter{in: bufio.NewReader(in), out: out}
}

// Choose asks for one of choices; an empty answer takes def, a number
// picks by position. It asks again after a wrong answer.
func (p *Prompter) Choose(question string, choices []string, def string) (string, error) {
	for {
		fmt.Fprintf(p.out, "%s:\n", question)
		for i, c := range choices {
			mark := " "
			if c == def {
				mark = "*"
			}
			fmt.Fprintf(p.out, "  %s %d) %s\n", mark, i+1, c)
		}
		fmt.Fprintf(p.out, "choice [%s]: ", def)
		answer, err := p.line()
		if err != nil {
			return "", err
		}
		switch n, nerr := strconv.Atoi(answer); {
		case answer == "":
			return def, nil
		case nerr == nil && n >= 1 && n <= len(choices):
			return choices[n-1], nil
		case slices.Contains(choices, answer):
			return answer, nil
		}
		fmt.Fprintf(p.out, "%q is not one of %s\n", answer, strings.Join(choices, ", "))
	}
}

// Text asks for a free-form value checked by valid; empty takes def.
func (p *Prompter) Text(question, def string, valid func(string) error) (string, error) {
	for {
		fmt.Fprintf(p.out, "%s [%s]: ", question, def)
		answer, err := p.line()
		if err != nil {
			return "", err
		}
		if answer == "" {
			answer = def
		}
		if err := valid(answer); err != nil {
			fmt.Fprintln(p.out, err)
			continue
		}
		return answer, nil
	}
}

func (p *Prompter) line() (string, error) {
	s, err := p.in.ReadString('\n')
	if err == io.EOF && s != "" {
		err = nil
	}
	if err != nil {
		return "", fmt.Errorf("reading an answer: %w", err)
	}
	return strings.TrimSpace(s), nil
}
