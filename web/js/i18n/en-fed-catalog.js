// en-fed-catalog.js - federation (catalog) UI strings; merged into en.js.
export default {
};
