// en-fed-share.js - federation (share) UI strings; merged into en.js.
export default {
};
