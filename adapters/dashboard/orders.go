package dashboard

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/allot-io/allot/domain/enrollment"
	"github.com/allot-io/allot/domain/fault"
	"github.com/allot-io/allot/domain/order"
	"github.com/allot-io/allot/ports"
)

// pageOrders lists the organisation's orders with their lines.
const pageOrders = "orders.html"

// orderRow is one order as the Orders page shows it, with the customer
// lines created with it.
type orderRow struct {
	Order   order.Order
	Payment string
	Created string
	Lines   []enrollment.LineRecord
}

// ordersData is what the Orders page shows.
type ordersData struct {
	Orders []orderRow
	Pager  pager
}

// errNoOrders answers the Orders page of a server that keeps no orders.
var errNoOrders = fault.New(fault.NotFound, "ORDERS_NOT_KEPT", "This server keeps no orders.")

// orders is the Orders page: the organisation's make_payment orders,
// newest first, a page at a time, each with the customer lines that were
// created with it (order_id).
func (d *Dashboard) orders(c *gin.Context) {
	if d.svc.Orders == nil {
		d.fail(c, errNoOrders)
		return
	}
	s, _ := sessionOf(c)
	ctx := c.Request.Context()
	n := pageNumber(c)
	size := d.cfg.PageSize
	// One more than a page tells whether there is a next page.
	list, err := d.svc.Orders.Orders(ctx, s.Org.ID, ports.Query{Limit: size + 1, Offset: (n - 1) * size})
	if err != nil {
		d.fail(c, err)
		return
	}
	hasNext := len(list) > size
	if hasNext {
		list = list[:size]
	}
	ids := make([]int64, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	lines, err := d.svc.Orders.OrderLines(ctx, s.Org.ID, ids)
	if err != nil {
		d.fail(c, err)
		return
	}
	rows := make([]orderRow, len(list))
	for i, o := range list {
		pay := string(o.Method)
		if o.MethodOption != "" {
			pay += " (" + o.MethodOption + ")"
		}
		rows[i] = orderRow{Order: o, Payment: pay, Created: o.CreatedAt.UTC().Format("2006-01-02 15:04"), Lines: lines[o.ID]}
	}
	d.render(c, http.StatusOK, pageOrders, view{
		Title: "Orders",
		Data:  ordersData{Orders: rows, Pager: newPager(url.Values{}, Path+"/orders", n, hasNext)},
	})
}
