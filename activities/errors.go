package activities

import (
	"errors"

	"go.temporal.io/api/serviceerror"

	"github.com/orgsync/orgsync/internal/target"
)

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

func asTarget(err error, te **target.Error) bool { return errors.As(err, te) }
