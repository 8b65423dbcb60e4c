package httpapi

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/ports"
)

// HandoverPath is the BSS module that activates attached lines handed
// over on the spot (SPEC §2 "Line lifecycle"), on the conventions of
// enrollment.go: POST, action, token header, HTTP 200 with msg_code,
// chained tokens.
const HandoverPath = "/handover"

// handoverActions are the module's actions, registered in bssModules.
var handoverActions = map[string]actionFunc{enrollment.ActionHandoverActivation: (*API).handoverActivation}

// handoverJSON is handover_activation's data.
type handoverJSON struct {
	CustomerID        bssNumber `json:"customer_id"`
	EnrollmentID      string    `json:"enrollment_id"`
	MDN               bssNumber `json:"mdn"`
	PlanID            string    `json:"plan_id"`
	PlanPrice         string    `json:"plan_price"`
	CustomerFirstName string    `json:"customer_firstname"`
	CustomerLastName  string    `json:"customer_lastname"`
	CustomerState     string    `json:"customer_state"`
}

// handoverActivation is handover_activation: the ESN/SIM and device of an
// ATTACHED line, which is then queued for the carrier. mdn is null until
// the carrier has activated the line; a later read shows it.
func (a *API) handoverActivation(c *gin.Context, s ports.Session, req *bssRequest) {
	in := enrollment.HandoverInput{
		EnrollmentID:  req.text("enrollment_id"),
		ESN:           req.text("esn"),
		DeviceID:      req.text("device_id"),
		Carrier:       req.text("carrier"),
		PaymentMethod: req.text("payment_method"),
		Billing: enrollment.Address{
			One:   req.firstText(billingOneFields),
			Two:   req.firstText(billingTwoFields),
			City:  req.firstText(billingCityFields),
			State: req.firstText(billingStFields),
			Zip:   req.firstText(billingZipFields),
		},
	}
	if err := req.vs.Err(); err != nil {
		a.bssFail(c, err)
		return
	}
	st, plan, err := a.svc.Lines.ActivateHandover(c.Request.Context(), s.Org.ID, in)
	if err != nil {
		a.bssFail(c, err)
		return
	}
	form := s.Org.Settings.IDs()
	out := handoverJSON{
		CustomerID:        bssNumber{digits: strconv.FormatInt(st.CustomerID, 10), form: form},
		EnrollmentID:      st.EnrollmentID,
		MDN:               bssNumber{digits: st.MDN, form: form},
		PlanID:            plan.ID,
		CustomerFirstName: st.FirstName,
		CustomerLastName:  st.LastName,
		CustomerState:     st.State,
	}
	if !plan.Price.IsZero() || plan.Name != "" {
		out.PlanPrice = plan.Price.String()
	}
	a.bssOK(c, msgSuccess, out)
}
