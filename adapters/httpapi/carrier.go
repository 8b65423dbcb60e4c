package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/ports"
)

// CarrierCallbackPath is where the carrier gateway posts its asynchronous
// answers, under the organisation's code.
const CarrierCallbackPath = "/carrier/callback/:org"

// CarrierSignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the
// callback's body under the carrier secret, as the gateway's own requests
// do.
const CarrierSignatureHeader = "X-Allot-Signature"

// carrierCallbackJSON is a callback's body.
type carrierCallbackJSON struct {
	Key    string `json:"key"`
	Status string `json:"status"`
	MDN    string `json:"mdn"`
	MSID   string `json:"msid"`
	Reason string `json:"reason"`
	// SentAt (RFC 3339) is signed with the body: the replay window is
	// measured from it.
	SentAt string `json:"sent_at"`
}

type carrierCallbackAnswer struct {
	Applied    bool   `json:"applied"`
	CustomerID int64  `json:"customer_id"`
	Status     string `json:"status"`
	MDN        string `json:"mdn,omitempty"`
}

// carrierRoutes registers the carrier callback.
func (a *API) carrierRoutes(e *gin.Engine) {
	e.POST(CarrierCallbackPath, a.carrierCallback)
}

// carrierCallback reads the body raw (the signature covers its exact
// bytes) and hands it to the use case, which checks the signature before
// it believes anything decoded here.
func (a *API) carrierCallback(c *gin.Context) {
	raw, err := a.body(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	var in carrierCallbackJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		a.fail(c, fault.New(fault.Invalid, reasonInvalidJSON, "the callback body is not a JSON object"))
		return
	}
	var sent time.Time
	if in.SentAt != "" {
		if sent, err = time.Parse(time.RFC3339Nano, in.SentAt); err != nil {
			a.fail(c, fault.InvalidField("sent_at", "RFC 3339", "SENT_AT_INVALID", "sent_at must be an RFC 3339 time"))
			return
		}
	}
	res, err := a.svc.CarrierCallbacks.Answer(c.Request.Context(), ports.CarrierCallback{
		OrgCode: c.Param("org"), Body: raw, Signature: c.GetHeader(CarrierSignatureHeader),
		Key: in.Key, SentAt: sent,
		Answer: ports.CarrierAnswer{Kind: ports.AnswerKind(strings.ToLower(in.Status)), MDN: in.MDN, MSID: in.MSID, Reason: in.Reason},
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, carrierCallbackAnswer{Applied: res.Applied, CustomerID: res.Line.CustomerID,
		Status: string(res.Line.Status), MDN: res.Line.MDN})
}
