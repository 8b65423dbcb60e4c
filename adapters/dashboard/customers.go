package dashboard

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/tenant"
	"github.com/allot-io/allot/ports"
)

// customersData is what Customer Management shows.
type customersData struct {
	Query     string
	Customers []tenant.Customer
	Pager     pager
}

// customers is Customer Management: the organisation's customers whose
// code or name contains the search, a page at a time.
func (d *Dashboard) customers(c *gin.Context) {
	s, _ := sessionOf(c)
	q := strings.TrimSpace(c.Query("q"))
	n := pageNumber(c)
	size := d.cfg.PageSize
	// One more than a page tells whether there is a next page.
	list, err := d.svc.Customers.List(c.Request.Context(), s.Org.ID, ports.CustomerQuery{
		Query:  ports.Query{Limit: size + 1, Offset: (n - 1) * size},
		Search: q,
	})
	if err != nil {
		d.fail(c, err)
		return
	}
	hasNext := len(list) > size
	if hasNext {
		list = list[:size]
	}
	base := url.Values{}
	if q != "" {
		base.Set("q", q)
	}
	d.render(c, http.StatusOK, pageCustomers, view{
		Title: "Customer Management",
		Data:  customersData{Query: q, Customers: list, Pager: newPager(base, Path+"/customers", n, hasNext)},
	})
}
